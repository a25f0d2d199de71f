package log

import (
	"bytes"
	_ "embed"
	golog "log"
	"regexp"
	"testing"

	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/plugins/plugintest"
)

//go:embed README.md
var readme string

func TestDocs(t *testing.T) {
	plugintest.CheckDocs(t, readme, "LogOutput")
}

func TestConfig(t *testing.T) {
	plugintest.CheckInvalid(t, "LogOutput", map[string]string{
		"[o]\ntype = \"LogOutput\"\nmessage_matcher = \"TRUE\"\n":                     "encoder: required",
		"[o]\ntype = \"LogOutput\"\nmessage_matcher = \"TRUE\"\nencoder = \"\"\n":     "encoder: required",
		"[o]\ntype = \"LogOutput\"\nmessage_matcher = \"TRUE\"\nencoder = \"E\"\nx=1": "x",
	})
}

func rec(data string) pipeline.Record {
	var b []byte
	if data != "" {
		b = []byte(data)
	}
	return pipeline.Record{Pack: pipeline.NewPack(), Data: b}
}

func TestWrite(t *testing.T) {
	tests := []struct {
		name  string
		flags int
		data  []string
		want  string // regexp of the whole output
	}{
		{"no flags", 0, []string{"hello", "world\n"}, "^hello\nworld\n$"},
		{"empty record", 0, []string{"", "x"}, "^x\n$"},
		{"date and time", golog.LstdFlags, []string{"hello"}, `^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d hello\n$`},
		{"microseconds", golog.Ltime | golog.Lmicroseconds, []string{"hi"}, `^\d\d:\d\d:\d\d\.\d{6} hi\n$`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			o := newOutputTo(&buf, tc.flags)
			for _, d := range tc.data {
				if err := o.Write(t.Context(), rec(d)); err != nil {
					t.Fatal(err)
				}
			}
			if !regexp.MustCompile(tc.want).MatchString(buf.String()) {
				t.Errorf("printed %q, want /%s/", buf.String(), tc.want)
			}
		})
	}
}

func TestBuildHonoursLogFlags(t *testing.T) {
	reg, ok := pipeline.Lookup("LogOutput")
	if !ok {
		t.Fatal("LogOutput not registered")
	}
	for _, flags := range []int{0, golog.LstdFlags | golog.Lmicroseconds} {
		g := pipeline.DefaultGlobals()
		g.LogFlags = flags
		cfg := reg.NewConfig().(*OutputConfig)
		cfg.Encoder = "PayloadEncoder"
		p, err := reg.Build(cfg, pipeline.NewEnv("log_out", "LogOutput", &g, nil, nil))
		if err != nil {
			t.Fatal(err)
		}
		if got := p.(*Output).logger.Flags(); got != flags {
			t.Errorf("log_flags %d: logger flags %d", flags, got)
		}
	}
}
