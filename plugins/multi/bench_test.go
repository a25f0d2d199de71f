package multi_test

import (
	"fmt"
	"testing"

	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/plugins/plugintest"
)

// BenchmarkMultiDecoder decodes one framed-protobuf record per iteration
// with Heka's chaining example (all: ProtobufDecoder then a ScribbleDecoder
// setting the Type) and a first-wins pair whose first sub wins, against
// ProtobufDecoder alone.
func BenchmarkMultiDecoder(b *testing.B) {
	record := encoded("orig", "a payload of some length, as a log line would be")
	for _, bc := range []struct{ name, doc, section string }{
		{"ProtobufDecoder-alone", "", "ProtobufDecoder"},
		{"all-protobuf-scribble", `[m]
type = "MultiDecoder"
subs = ["ProtobufDecoder", "mytype"]
cascade_strategy = "all"
`, "m"},
		{"first-wins-protobuf-wins", `[m]
type = "MultiDecoder"
subs = ["ProtobufDecoder", "mytype"]
`, "m"},
		{"first-wins-regex-second", `[m]
type = "MultiDecoder"
subs = ["ProtobufDecoder", "kv"]
`, "m"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			doc := bc.doc + subs
			if bc.section == "ProtobufDecoder" {
				doc = "[ProtobufDecoder]\n" + subs
			}
			dec := plugintest.Build(b, doc, bc.section).(pipeline.Decoder)
			pool := pipeline.NewPool("bench", 1, 1024)
			text := bc.name == "first-wins-regex-second"
			var out []*pipeline.Pack
			b.SetBytes(int64(len(record)))
			b.ReportAllocs()
			for b.Loop() {
				p, err := pool.Get(b.Context())
				if err != nil {
					b.Fatal(err)
				}
				if text {
					p.MutableMessage().SetPayload("key=value")
				} else {
					p.MsgBytes = append(p.MsgBytes[:0], record...)
				}
				if out, err = dec.Decode(b.Context(), p, out[:0]); err != nil || len(out) != 1 {
					b.Fatal(fmt.Sprint(len(out), err))
				}
				p.Recycle()
			}
		})
	}
}
