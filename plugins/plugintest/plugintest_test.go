package plugintest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

// fakeOutputConfig is the config of a plugin registered for these tests.
type fakeOutputConfig struct {
	// Address is where to send.
	Address string `toml:"address"`
	// Period is a duration.
	Period pipeline.Duration `toml:"period"`
	// Count is a number.
	Count uint32 `toml:"count"`
}

func (*fakeOutputConfig) DefaultOutputCommon(c *pipeline.OutputCommon) { c.Encoder = "ProtobufEncoder" }

func (c *fakeOutputConfig) Validate() error {
	if c.Count == 0 {
		return errors.New("count: must be at least 1")
	}
	return nil
}

type fakeOutput struct{}

func (fakeOutput) Write(context.Context, pipeline.Record) error { return nil }

const fakeSample = "[PlugintestFakeOutput]\nmessage_matcher = \"TRUE\"\naddress = \"x:1\"\n"

func init() {
	pipeline.RegisterOutput("PlugintestFakeOutput",
		func() fakeOutputConfig {
			return fakeOutputConfig{Address: "localhost:1", Period: pipeline.Duration(250 * time.Millisecond), Count: 3}
		},
		func(fakeOutputConfig, *pipeline.Env) (pipeline.Output, error) { return fakeOutput{}, nil },
		pipeline.WithSample(fakeSample))
}

// recorder is a testing.TB that records failures instead of failing. Its
// cleanups run, last first, when the check it runs ends.
type recorder struct {
	testing.TB
	mu       sync.Mutex
	errs     []string
	cleanups []func()
}

func (r *recorder) Cleanup(f func()) {
	r.mu.Lock()
	r.cleanups = append(r.cleanups, f)
	r.mu.Unlock()
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

// run runs check against a recorder and returns the recorded failures.
func run(t *testing.T, check func(testing.TB)) []string {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			for i := len(r.cleanups) - 1; i >= 0; i-- {
				r.cleanups[i]()
			}
		}()
		check(r)
	}()
	<-done
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.errs
}

const goodReadme = `# fake

## PlugintestFakeOutput

| name | type | default | meaning |
|---|---|---|---|
| ` + "`address`" + ` | string | ` + "`\"localhost:1\"`" + ` | where |
| ` + "`period`" + ` | duration | ` + "`\"250ms\"`" + ` | how often |
| ` + "`count`" + ` | int | ` + "`3`" + ` | how many |
| ` + "`encoder`" + ` | string | ` + "`\"ProtobufEncoder\"`" + ` | common |

## Other
`

func TestCheckREADME(t *testing.T) {
	tests := []struct {
		name, readme, want string
	}{
		{"good", goodReadme, ""},
		{"wrong default", strings.Replace(goodReadme, "`3`", "`4`", 1), `"count" documented with default`},
		{"missing row", strings.Replace(goodReadme, "| `period`", "| `perio`", 1), `no options table row for "period"`},
		{"missing common row", strings.Replace(goodReadme, "| `encoder`", "| `encoderx`", 1), `"encoder"`},
		{"no section", strings.Replace(goodReadme, "## PlugintestFakeOutput", "## Else", 1), "no \"## PlugintestFakeOutput\" section"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := run(t, func(tb testing.TB) { CheckREADME(tb, tc.readme, "PlugintestFakeOutput") })
			all := strings.Join(errs, "\n")
			if tc.want == "" && len(errs) > 0 {
				t.Errorf("unexpected failures:\n%s", all)
			}
			if tc.want != "" && !strings.Contains(all, tc.want) {
				t.Errorf("failures %q do not mention %q", all, tc.want)
			}
		})
	}
}

func TestDecodeSection(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"sample", fakeSample, ""},
		{"typed section", "[out]\ntype = \"PlugintestFakeOutput\"\nmessage_matcher = \"TRUE\"\nretries = {max_retries = 3}\n", ""},
		{"unknown key", fakeSample + "adress = 1\n", `unknown key "adress"`},
		{"bad value", fakeSample + "count = 0\n", "count: must be at least 1"},
		{"wrong type", fakeSample + "count = \"x\"\n", "count"},
		{"no matcher", "[PlugintestFakeOutput]\n", "message_matcher"},
		{"bad matcher", "[PlugintestFakeOutput]\nmessage_matcher = \"Type ==\"\n", "message_matcher"},
		{"bad retries", fakeSample + "[PlugintestFakeOutput.retries]\nmax_retries = -2\n", "max_retries"},
		{"no section", "[x]\ntype = \"Other\"\n", "no section of type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := DecodeSection(tc.doc, "PlugintestFakeOutput")
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("error %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestHostFramed(t *testing.T) {
	signer := &message.SigningConfig{Name: "ops", Version: 1, Key: "secret", Hash: "sha1"}
	var stream []byte
	for i := range 3 {
		m := new(message.Message)
		m.SetType("t")
		m.SetPayload(fmt.Sprint(i))
		var err error
		var s *message.SigningConfig
		if i == 1 {
			s = signer
		}
		if stream, err = message.AppendFrame(stream, m.Marshal(), s, 0); err != nil {
			t.Fatal(err)
		}
	}
	stream = append(stream, "garbage"...)
	h := NewHost("in", func() pipeline.Splitter {
		return FramingSplitter(message.FrameOptions{Keys: map[string]string{"ops_1": "secret"}})
	}, true)
	if err := h.Stream(t.Context(), strings.NewReader(string(stream)), pipeline.Source{Name: "s"}); err != nil {
		t.Fatal(err)
	}
	got := h.Deliveries()
	if len(got) != 3 {
		t.Fatalf("%d deliveries, want 3", len(got))
	}
	for i, d := range got {
		if d.Message.GetPayload() != fmt.Sprint(i) || d.Source.Name != "s" {
			t.Errorf("delivery %d: %q from %q", i, d.Message.GetPayload(), d.Source.Name)
		}
		if want := map[bool]string{true: "ops"}[i == 1]; d.Signer != want {
			t.Errorf("delivery %d: signer %q, want %q", i, d.Signer, want)
		}
	}
	if started, open := h.Streams(); started != 1 || open != 0 {
		t.Errorf("streams %d started, %d open", started, open)
	}
}

func TestHostText(t *testing.T) {
	h := NewHost("in", LineSplitter, false)
	src := pipeline.Source{Name: "conn", Type: "in", Hostname: "1.2.3.4:5"}
	if err := h.Stream(t.Context(), strings.NewReader("a\nb\npartial"), src); err != nil {
		t.Fatal(err)
	}
	got := h.WaitDeliveries(t, 2, time.Second)
	if len(got) != 2 {
		t.Fatalf("%d deliveries, want 2 (the partial line is dropped)", len(got))
	}
	m := got[1].Message
	if m.GetPayload() != "b\n" || m.GetLogger() != "in" || m.GetType() != "in" || m.GetHostname() != "1.2.3.4:5" || len(m.GetUuid()) != 16 || m.GetTimestamp() == 0 {
		t.Errorf("text message not stamped as the engine does: %v", m)
	}
}

func TestInjector(t *testing.T) {
	in := NewInjector("Type == 'mine'")
	p, err := in.NewPack(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if p.LoopCount != 1 || p.Message().GetHostname() != "plugintest" || len(p.Message().GetUuid()) != 16 {
		t.Errorf("pack not stamped: loop %d, %v", p.LoopCount, p.Message())
	}
	p.MutableMessage().SetType("mine")
	if err := in.Inject(t.Context(), p); !errors.Is(err, ErrSelfInject) {
		t.Errorf("self-injection = %v", err)
	}
	p, _ = in.NewPack(t.Context())
	p.MutableMessage().SetType("other")
	if err := in.Inject(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	if got := in.Messages(); len(got) != 1 || got[0].GetType() != "other" {
		t.Errorf("injected %v", got)
	}
	in.LoopCount = 4
	if _, err := in.NewPack(t.Context()); err == nil {
		t.Error("NewPack over max_message_loops succeeded")
	}
}
