package rst

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/message/messagetest"
	"github.com/hekad-go/hekad/pipeline"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fullMessage sets every header and has a field of every value type,
// arrays, an empty array and fields with and without a representation.
func fullMessage() *message.Message {
	m := new(message.Message)
	m.SetUuid([]byte{0x3f, 0x2a, 0x6c, 0x1e, 0x8b, 0x4d, 0x4f, 0x3a, 0x9c, 0x21, 0x5e, 0x77, 0x10, 0xa4, 0xc3, 0x5b})
	m.SetTimestamp(1462278896789012345)
	m.SetType("nginx.access")
	m.SetLogger("FrontendAccessLog")
	m.SetSeverity(3)
	m.SetPayload(`GET /index.html "quoted"`)
	m.SetEnvVersion("0.8")
	m.SetPid(4242)
	m.SetHostname("web-03.example.com")
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(m.AppendField("remote_addr", message.ValueString, "ipv4").AddString("192.0.2.17"))
	tags := m.AppendField("tags", message.ValueString, "")
	must(tags.AddString("web"))
	must(tags.AddString(`say "hi"`))
	must(m.AppendField("raw", message.ValueBytes, "").AddBytes([]byte{0, 1, 2, 0xfe, 0xff}))
	must(m.AppendField("status", message.ValueInteger, "").AddInteger(200))
	lat := m.AppendField("latencies", message.ValueInteger, "ms")
	must(lat.AddInteger(12))
	must(lat.AddInteger(-3))
	must(m.AppendField("request_time", message.ValueDouble, "s").AddDouble(0.012))
	big := m.AppendField("ratios", message.ValueDouble, "")
	must(big.AddDouble(1e21))
	must(big.AddDouble(2))
	must(m.AppendField("cached", message.ValueBool, "").AddBool(true))
	m.AppendField("nothing", message.ValueString, "empty")
	return m
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		msg  *message.Message
	}{
		{"full", fullMessage()},
		{"empty", new(message.Message)},
		{"benchmark", messagetest.BenchmarkMessage()},
	}
	enc, err := newEncoder(defaultConfig(), pipeline.NewEnv("RstEncoder", "RstEncoder", nil, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := pipeline.NewPack()
			tc.msg.CopyTo(p.MutableMessage())
			prefix := []byte("kept")
			got, err := enc.Encode(prefix, p)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(got, []byte("kept")) {
				t.Fatalf("Encode did not append to dst: %q", got)
			}
			got = got[len("kept"):]
			path := filepath.Join("testdata", tc.name+".rst")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s:\ngot:\n%s\nwant:\n%s", path, got, want)
			}
		})
	}
}

func TestEncodeAllocs(t *testing.T) {
	enc := &Encoder{}
	p := pipeline.NewPack()
	fullMessage().CopyTo(p.MutableMessage())
	buf := make([]byte, 0, 4096)
	allocs := testing.AllocsPerRun(100, func() {
		buf, _ = enc.Encode(buf[:0], p)
	})
	if allocs != 0 {
		t.Errorf("Encode allocates %v times per message, want 0", allocs)
	}
}

func BenchmarkRstEncoder(b *testing.B) {
	enc := &Encoder{}
	p := pipeline.NewPack()
	messagetest.BenchmarkMessage().CopyTo(p.MutableMessage())
	buf, _ := enc.Encode(nil, p)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = enc.Encode(buf[:0], p)
	}
}
