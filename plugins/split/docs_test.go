package split

import (
	_ "embed"
	"testing"

	"github.com/hekad-go/hekad/plugins/plugintest"
)

//go:embed README.md
var readme string

func TestDocs(t *testing.T) {
	plugintest.CheckDocs(t, readme, "TokenSplitter", "RegexSplitter", "NullSplitter", "HekaFramingSplitter")
}

func TestInvalidConfig(t *testing.T) {
	plugintest.CheckInvalid(t, "TokenSplitter", map[string]string{
		"[TokenSplitter]\ndelimiter = \"\"\n":         "delimiter",
		"[TokenSplitter]\ndelimiter = \"ab\"\n":       "delimiter",
		"[TokenSplitter]\ncount = 0\n":                "count",
		"[TokenSplitter]\ndelimeter = \"x\"\n":        "delimeter",
		"[TokenSplitter]\nuse_message_bytez = true\n": "use_message_bytez",
	})
	plugintest.CheckInvalid(t, "RegexSplitter", map[string]string{
		"[RegexSplitter]\ndelimiter = '('\n":      "delimiter",
		"[RegexSplitter]\ndelimiter = '(a)(b)'\n": "delimiter",
		"[RegexSplitter]\ndelimiter = 'x*'\n":     "delimiter",
		"[RegexSplitter]\ndelimiter_eo = false\n": "delimiter_eo",
	})
	plugintest.CheckInvalid(t, "HekaFramingSplitter", map[string]string{
		"[HekaFramingSplitter]\n[HekaFramingSplitter.signer.ops]\nhmac_key = \"k\"\n":   "signer.ops",
		"[HekaFramingSplitter]\n[HekaFramingSplitter.signer.ops_x]\nhmac_key = \"k\"\n": "signer.ops_x",
		"[HekaFramingSplitter]\n[HekaFramingSplitter.signer.ops_1]\nhmac_kye = \"k\"\n": "hmac_kye",
		"[HekaFramingSplitter]\nskip_authentification = true\n":                         "skip_authentification",
	})
}
