package split

import (
	"github.com/hekad-go/hekad/plugins/plugintest"
)

// decodeConfig decodes body as a section of type typ, strictly.
func decodeConfig(typ, body string) (any, error) {
	return plugintest.DecodeConfig("[s]\ntype = \""+typ+"\"\n"+body+"\n", typ)
}
