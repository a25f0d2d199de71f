package engine

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/pipeline/config"
)

// dataOut is a TestDataOutput section with the forwarding test encoder
// and framing.
func dataOut(name, matcher string) config.Output {
	o := output(name, matcher, outCfg{}, func(o *config.Output) {
		o.Common.Encoder = "pbenc"
		o.UseFraming = true
	})
	o.Section = section[struct{}](name, "TestDataOutput", nil)
	return o
}

// TestNothingReadsMessages: records are only checked when every matcher is
// constant, no filter takes messages and every output that takes them
// writes nothing but forwarded bytes.
func TestNothingReadsMessages(t *testing.T) {
	in := input("in", inCfg{}, func(c *pipeline.InputCommon) { c.Decoder = "pbdec" })
	tests := []struct {
		name    string
		plugins []any
		want    bool
	}{
		{"relay", []any{dataOut("a", "TRUE"), dataOut("b", "TRUE")}, true},
		{"FALSE output and filter", []any{dataOut("a", "TRUE"), dataOut("b", "FALSE"), filter("f", "FALSE", filtCfg{}, nil)}, true},
		{"a filter takes messages", []any{dataOut("a", "TRUE"), filter("f", "TRUE", filtCfg{}, nil)}, false},
		{"a matcher reads messages", []any{dataOut("a", "TRUE"), dataOut("b", "Type == 'x'")}, false},
		{"an output reads records", []any{dataOut("a", "TRUE"), output("o", "TRUE", outCfg{}, func(o *config.Output) { o.Common.Encoder = "pbenc" })}, false},
		{"an encoder reads messages", []any{dataOut("a", "TRUE"), func() config.Output {
			o := dataOut("b", "TRUE")
			o.Common.Encoder = "enc"
			return o
		}()}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := testOptions(&logBuf{})
			opts.CompileMatcher = nil // the real matcher, which knows its constants
			e, err := New(newPlan(append([]any{in}, tc.plugins...)...), opts)
			if err != nil {
				t.Fatal(err)
			}
			if e.checkOnly != tc.want {
				t.Errorf("checkOnly = %v, want %v", e.checkOnly, tc.want)
			}
		})
	}
}

// TestCheckOnlyRelay runs a relay of protobuf records, one of them
// garbage: with nothing reading messages, the decoder only checks the
// records; the good ones are forwarded byte for byte and the bad one is
// dropped as a decode failure. A filter that takes messages turns
// decoding back on.
func TestCheckOnlyRelay(t *testing.T) {
	var raws [][]byte
	for i := range 4 {
		m := new(message.Message)
		m.SetNewUUID()
		m.SetTimestamp(int64(1000 + i))
		m.SetType("relayed")
		m.SetPayload(fmt.Sprintf("p%d", i))
		raws = append(raws, m.Marshal())
	}
	garbage := []byte{0x0a, 0xff, 0x01}
	sent := [][]byte{raws[0], raws[1], garbage, raws[2], raws[3]}
	for _, tc := range []struct {
		name            string
		filter          string
		checks, decodes int64
	}{
		{"nothing reads", "FALSE", 5, 0},
		{"a filter reads", "TRUE", 0, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan := newPlan(
				input("in", inCfg{Raw: sent}, func(c *pipeline.InputCommon) {
					c.Decoder = "pbdec"
					c.LogDecodeFailures = false
				}),
				filter("f", tc.filter, filtCfg{}, nil),
				dataOut("out", "TRUE"),
			)
			r := start(t, plan, func(o *Options) { o.CompileMatcher = nil })
			waitFor(t, "the good records", func() bool {
				instMu.Lock()
				o := dataOutputs["out"]
				instMu.Unlock()
				return o != nil && len(o.records()) == len(raws)
			})
			r.stop()
			for i, rec := range dataOutputs["out"].records() {
				want, _ := message.AppendFrame(nil, raws[i], nil, 0)
				if !bytes.Equal(rec, want) {
					t.Errorf("record %d not forwarded byte for byte", i)
				}
			}
			if c, d := protoChecks.Load(), protoDecodes.Load(); c != tc.checks || d != tc.decodes {
				t.Errorf("%d checks and %d decodes, want %d and %d", c, d, tc.checks, tc.decodes)
			}
		})
	}
}
