package statsd_test

import (
	_ "embed"
	"strings"
	"testing"

	"github.com/hekad-go/hekad/pipeline/config"
	_ "github.com/hekad-go/hekad/plugins/split" // the default splitters the inputs name

	"github.com/hekad-go/hekad/plugins/plugintest"
)

//go:embed README.md
var readme string

func TestDocs(t *testing.T) {
	plugintest.CheckDocs(t, readme, "StatsdInput", "StatAccumInput", "StatFilter", "StatsToFieldsDecoder")
}

func TestInvalidConfig(t *testing.T) {
	const accum = "[StatAccumInput]\n"
	plugintest.CheckInvalid(t, "StatAccumInput", map[string]string{
		"[a]\ntype = 'StatAccumInput'\nticker_interval = 0\n":           "ticker_interval",
		"[a]\ntype = 'StatAccumInput'\nemit_in_payload = false\n":       "emit_in_payload",
		"[a]\ntype = 'StatAccumInput'\npercent_threshold = [90, 101]\n": "percent_threshold",
		"[a]\ntype = 'StatAccumInput'\nmessage_type = ''\n":             "message_type",
	})
	plugintest.CheckInvalid(t, "StatsdInput", map[string]string{
		"[s]\ntype = 'StatsdInput'\naddress = 'nohost'\n" + accum:    "address",
		"[s]\ntype = 'StatsdInput'\nstat_accum_name = ''\n" + accum:  "stat_accum_name",
		"[s]\ntype = 'StatsdInput'\nmax_msg_size = 0\n" + accum:      "max_msg_size",
		"[s]\ntype = 'StatsdInput'\nread_buffer_size = -1\n" + accum: "read_buffer_size",
	})
	plugintest.CheckInvalid(t, "StatFilter", map[string]string{
		"[f]\ntype = 'StatFilter'\nmessage_matcher = 'TRUE'\n" + accum:                                                        "Metric",
		"[f]\ntype = 'StatFilter'\nmessage_matcher = 'TRUE'\n[f.Metric.a]\ntype = 'Count'\nname = 'x'\nvalue = '1'\n" + accum: "Metric.a.type",
		"[f]\ntype = 'StatFilter'\nmessage_matcher = 'TRUE'\n[f.Metric.a]\ntype = 'Counter'\nvalue = '1'\n" + accum:           "Metric.a.name",
		"[f]\ntype = 'StatFilter'\nmessage_matcher = 'TRUE'\n[f.Metric.a]\ntype = 'Counter'\nname = 'x'\n" + accum:            "Metric.a.value",
	})
}

// TestStatAccumNameChecked: the configuration loader refuses a
// stat_accum_name that names no StatAccumInput section, with the file,
// section and key (so does hekad -check), where Heka failed at run time.
func TestStatAccumNameChecked(t *testing.T) {
	const metric = "message_matcher = 'TRUE'\n[f.Metric.a]\ntype = 'Counter'\nname = 'x'\nvalue = '1'\n"
	tests := []struct{ doc, want string }{
		{"[s]\ntype = 'StatsdInput'\n", `[s] (StatsdInput): stat_accum_name: no StatAccumInput section named "StatAccumInput"`},
		{"[s]\ntype = 'StatsdInput'\nstat_accum_name = 's'\n[StatAccumInput]\n", `stat_accum_name: "s" is a StatsdInput section, not a StatAccumInput`},
		{"[f]\ntype = 'StatFilter'\nstat_accum_name = 'acc'\n" + metric + "[StatAccumInput]\n", `[f] (StatFilter): stat_accum_name: no StatAccumInput section named "acc"`},
		{"[s]\ntype = 'StatsdInput'\nstat_accum_name = 'acc'\n[acc]\ntype = 'StatAccumInput'\n", ""},
	}
	for _, tc := range tests {
		_, err := config.LoadBytes("hekad.toml", []byte(tc.doc))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("refused: %v\n%s", err, tc.doc)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("error %v, want one containing %q\n%s", err, tc.want, tc.doc)
		}
	}
}
