package sandbox

import (
	"testing"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/plugins/plugintest"
)

// BenchmarkFilterProcess is a SandboxFilter whose process_message reads two
// fields and updates a counter (the target: 500,000 messages/s).
func BenchmarkFilterProcess(b *testing.B) {
	const script = `counts = {} total = 0
function process_message()
    local status = read_message("Fields[status]")
    local bytes = read_message("Fields[bytes]")
    total = total + (bytes or 0)
    counts[status] = (counts[status] or 0) + 1
    return 0
end`
	f := build(b, b.TempDir(), "SandboxFilter", "f", script, "").(*Filter)
	defer f.Close()
	p := textPack("GET /index.html")
	m := p.MutableMessage()
	m.AppendField("status", message.ValueString, "").AddString("200")
	m.AppendField("bytes", message.ValueDouble, "B").AddDouble(512)
	inj := plugintest.NewInjector("")
	b.ReportAllocs()
	for b.Loop() {
		if err := f.Process(b.Context(), p, inj); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecoderDecode is a SandboxDecoder that splits a key=value line
// and injects a message with its fields.
func BenchmarkDecoderDecode(b *testing.B) {
	const script = `function process_message()
    local t = {Type = "kv", Fields = {}}
    for k, v in read_message("Payload"):gmatch("(%w+)=(%w+)") do t.Fields[k] = v end
    inject_message(t)
    return 0
end`
	d := build(b, b.TempDir(), "SandboxDecoder", "d", script, "").(*Decoder)
	p := textPack("id=1 status=200 bytes=512 method=GET")
	b.ReportAllocs()
	for b.Loop() {
		out, err := d.Decode(b.Context(), p, nil)
		if err != nil || len(out) != 1 {
			b.Fatal(err)
		}
		out[0].Recycle()
	}
}

// BenchmarkEncoderCJSON is the SandboxEncoder of the W2 workload: a message
// with 8 fields becomes a JSON line with cjson (the target: 150,000
// messages/s).
func BenchmarkEncoderCJSON(b *testing.B) {
	e := build(b, b.TempDir(), "SandboxEncoder", "e", jsonEncoderScript, "").(*Encoder)
	p := textPack("")
	*p.MutableMessage() = *w2Pack()
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = e.Encode(buf[:0], p); err != nil {
			b.Fatal(err)
		}
	}
}
