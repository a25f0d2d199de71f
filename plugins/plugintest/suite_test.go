package plugintest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hekad-go/hekad/pipeline"
)

// Broken plugins, each with one fault the conformance suite must catch.

type noConfig struct{}

type lineSplitterConfig struct{}

type laxConfig struct {
	// Anything takes any TOML value: a wrong type cannot be rejected.
	Anything laxValue `toml:"anything"`
}

type laxValue string

func (*laxValue) UnmarshalTOML(any) error { return nil }

type stuckInputConfig struct{}

func (*stuckInputConfig) DefaultInputCommon(c *pipeline.InputCommon) {
	c.Splitter = "PlugintestLineSplitter"
}

// release is closed when a test ends, freeing what the broken plugins
// block on.
var (
	releaseMu sync.Mutex
	releaseCh = make(chan struct{})
)

func releaseAll(t testing.TB) {
	t.Cleanup(func() {
		releaseMu.Lock()
		close(releaseCh)
		releaseCh = make(chan struct{})
		releaseMu.Unlock()
	})
}

func released() <-chan struct{} {
	releaseMu.Lock()
	defer releaseMu.Unlock()
	return releaseCh
}

// listenInput is a line input on 127.0.0.1. With stuck set, Run does not
// return when its context is done; with fragile set, it returns an error
// when a connection starts with a byte that is not printable.
type listenInput struct {
	stuck, fragile bool
	ready          chan struct{}
	addr           net.Addr
}

func (in *listenInput) Ready() <-chan struct{} { return in.ready }
func (in *listenInput) Addr() net.Addr         { return in.addr }

func (in *listenInput) Run(ctx context.Context, host pipeline.InputHost) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	in.addr = ln.Addr()
	close(in.ready)
	bad := make(chan error, 1)
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				stop := context.AfterFunc(ctx, func() { c.Close() })
				defer stop()
				var first [1]byte
				if n, _ := c.Read(first[:]); n == 1 && in.fragile && (first[0] < ' ' || first[0] > '~') {
					select {
					case bad <- errors.New("unprintable byte"):
					default:
					}
					return
				}
				host.Stream(ctx, io.MultiReader(bytes.NewReader(first[:]), c), pipeline.Source{Name: "c"})
			})
		}
	})
	select {
	case <-ctx.Done():
	case err = <-bad:
	}
	ln.Close()
	if in.stuck {
		<-released()
	}
	return err
}

type panicDecoder struct{}

func (panicDecoder) Decode(_ context.Context, p *pipeline.Pack, out []*pipeline.Pack) ([]*pipeline.Pack, error) {
	if bytes.IndexByte(p.MsgBytes, 0xff) >= 0 || strings.Contains(p.Message().GetPayload(), "\xff") {
		panic("unexpected byte")
	}
	return append(out, p), nil
}

// sulkyDecoder fails every record once it has seen an empty one.
type sulkyDecoder struct{ sulking bool }

func (d *sulkyDecoder) Decode(_ context.Context, p *pipeline.Pack, out []*pipeline.Pack) ([]*pipeline.Pack, error) {
	if len(p.MsgBytes) == 0 && p.Message().GetPayload() == "" {
		d.sulking = true
	}
	if d.sulking {
		return out, errors.New("sulking")
	}
	return append(out, p), nil
}

type sloppyEncoder struct{}

func (sloppyEncoder) Encode(_ []byte, p *pipeline.Pack) ([]byte, error) {
	return []byte(p.Message().GetPayload()), nil
}

type leakyFilter struct{ once sync.Once }

func (f *leakyFilter) Process(context.Context, *pipeline.Pack, pipeline.Injector) error {
	ch := released()
	f.once.Do(func() { go func() { <-ch }() })
	return nil
}

// slowOutput ignores its context in Write.
type slowOutput struct{}

func (slowOutput) Write(ctx context.Context, _ pipeline.Record) error {
	if ctx.Err() != nil {
		<-released()
	}
	return nil
}

func init() {
	none := func() noConfig { return noConfig{} }
	pipeline.RegisterSplitter("PlugintestLineSplitter", func() lineSplitterConfig { return lineSplitterConfig{} },
		func(lineSplitterConfig, *pipeline.Env) (pipeline.Splitter, error) { return LineSplitter(), nil },
		pipeline.WithSample("[PlugintestLineSplitter]\n"))
	pipeline.RegisterFilter("PlugintestLaxFilter", func() laxConfig { return laxConfig{} },
		func(laxConfig, *pipeline.Env) (pipeline.Filter, error) { return &leakyFilter{}, nil },
		pipeline.WithSample("[PlugintestLaxFilter]\nmessage_matcher = \"TRUE\"\n"))
	pipeline.RegisterInput("PlugintestStuckInput", func() stuckInputConfig { return stuckInputConfig{} },
		func(stuckInputConfig, *pipeline.Env) (pipeline.Input, error) {
			return &listenInput{stuck: true, ready: make(chan struct{})}, nil
		}, pipeline.WithSample("[PlugintestStuckInput]\n"))
	pipeline.RegisterInput("PlugintestFragileInput", func() stuckInputConfig { return stuckInputConfig{} },
		func(stuckInputConfig, *pipeline.Env) (pipeline.Input, error) {
			return &listenInput{fragile: true, ready: make(chan struct{})}, nil
		}, pipeline.WithSample("[PlugintestFragileInput]\n"))
	pipeline.RegisterInput("PlugintestGoodInput", func() stuckInputConfig { return stuckInputConfig{} },
		func(stuckInputConfig, *pipeline.Env) (pipeline.Input, error) {
			return &listenInput{ready: make(chan struct{})}, nil
		}, pipeline.WithSample("[PlugintestGoodInput]\n"))
	pipeline.RegisterDecoder("PlugintestPanicDecoder", none,
		func(noConfig, *pipeline.Env) (pipeline.Decoder, error) { return panicDecoder{}, nil },
		pipeline.WithSample("[PlugintestPanicDecoder]\n"))
	pipeline.RegisterDecoder("PlugintestSulkyDecoder", none,
		func(noConfig, *pipeline.Env) (pipeline.Decoder, error) { return &sulkyDecoder{}, nil },
		pipeline.WithSample("[PlugintestSulkyDecoder]\n"))
	pipeline.RegisterEncoder("PlugintestSloppyEncoder", none,
		func(noConfig, *pipeline.Env) (pipeline.Encoder, error) { return sloppyEncoder{}, nil },
		pipeline.WithSample("[PlugintestSloppyEncoder]\n"))
	pipeline.RegisterOutput("PlugintestSlowOutput", none,
		func(noConfig, *pipeline.Env) (pipeline.Output, error) { return slowOutput{}, nil },
		pipeline.WithSample("[PlugintestSlowOutput]\nmessage_matcher = \"TRUE\"\n"))
}

// TestSuiteCatches runs the suite on the broken plugins above and checks
// that each fault fails it with a message that says what went wrong, and
// that a plugin without faults passes.
func TestSuiteCatches(t *testing.T) {
	defer func(d time.Duration) { Deadline = d }(Deadline)
	Deadline = 3 * time.Second
	runIt := func(name string, tg Target) func(testing.TB) {
		return func(tb testing.TB) { Run(tb, name, tg) }
	}
	tests := []struct {
		name  string
		check func(testing.TB)
		want  string // "" = passes
	}{
		{"good input", runIt("PlugintestGoodInput", Target{}), ""},
		{"good config", func(tb testing.TB) { CheckBadConfig(tb, "PlugintestFakeOutput") }, ""},
		{"lax config", func(tb testing.TB) { CheckBadConfig(tb, "PlugintestLaxFilter") }, `anything = map[string]interface {}{"not_a_value":1} accepted, want an error naming "anything"`},
		{"input stuck after cancel", runIt("PlugintestStuckInput", Target{}), "Run did not return within"},
		// Depending on timing the next connection fails or the good
		// message never comes: both name the malformed input.
		{"input dies on garbage", runIt("PlugintestFragileInput", Target{}), "malformed input"},
		{"decoder panics", runIt("PlugintestPanicDecoder", Target{Valid: []byte("ok")}), "panicked: unexpected byte"},
		{"decoder does not recover", runIt("PlugintestSulkyDecoder", Target{Valid: []byte("ok")}), "valid record after malformed ones: 0 packs, error sulking"},
		{"decoder without a valid record", runIt("PlugintestSulkyDecoder", Target{}), "needs a Valid record"},
		{"encoder ignores dst", runIt("PlugintestSloppyEncoder", Target{}), "did not append to dst"},
		{"filter leaks a goroutine", runIt("PlugintestLaxFilter", Target{}), "goroutines leaked"},
		{"output ignores its context", runIt("PlugintestSlowOutput", Target{}), "Write with a cancelled context did not return within"},
	}
	base := runtime.NumGoroutine()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The goroutine check of a case counts from here: let those
			// of the cases before end first.
			Eventually(t, 10*time.Second, "the goroutines of earlier cases to end", func() bool {
				return runtime.NumGoroutine() <= base+1 // +1: this subtest
			})
			releaseAll(t)
			all := strings.Join(run(t, tc.check), "\n")
			switch {
			case tc.want == "" && all != "":
				t.Errorf("unexpected failures:\n%s", all)
			case tc.want != "" && !strings.Contains(all, tc.want):
				t.Errorf("failures do not mention %q:\n%s", tc.want, all)
			}
		})
	}
}
