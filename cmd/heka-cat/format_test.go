package main

import (
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	golangproto "github.com/golang/protobuf/proto"
	"google.golang.org/protobuf/proto"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/message/pb"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// knownMessage is the message of the golden files: every header set, text
// that needs escaping, and fields of every type, repeated names included.
func knownMessage(t testing.TB, withNonFinite bool) *message.Message {
	t.Helper()
	m := new(message.Message)
	m.SetUuid([]byte{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x46, 0x07, 0x88, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0xff})
	m.SetTimestamp(1428773426113040227)
	m.SetType("heka-cat.test")
	m.SetLogger("GoSpec")
	m.SetSeverity(3)
	m.SetPayload("line one\nline \"two\" <b>&amp;</b> caf\u00e9\ttab\\")
	m.SetEnvVersion("0.8")
	m.SetPid(4242)
	m.SetHostname("host.example")
	doubles := []float64{0.1, 1e21, -2.5e-7, 1e6, 3}
	if withNonFinite {
		doubles = append(doubles, math.Inf(1), math.Inf(-1), math.NaN())
	}
	for _, f := range []*message.Field{
		field(t, "path", "/a/b?c=d", "uri"),
		field(t, "status", 404, ""),
		field(t, "raw", []byte{0x00, 0x01, 0x1e, 0x7f, 0xff, 'a', '"', '\n'}, "binary"),
		field(t, "ratio", doubles, "ratio"),
		field(t, "flags", []bool{true, false}, ""),
		field(t, "counts", []int64{-1, 0, math.MaxInt64}, "count"),
		field(t, "path", "/second", ""),
		field(t, "empty", []string{}, ""),
	} {
		m.AddField(f)
	}
	return m
}

// minimalMessage has only the required uuid and timestamp.
func minimalMessage() *message.Message {
	m := new(message.Message)
	m.SetUuid(make([]byte, 16))
	m.SetTimestamp(0)
	return m
}

// TestFormatGolden checks each format's output for known messages against
// testdata/format.<name>.golden (go test -update rewrites them).
func TestFormatGolden(t *testing.T) {
	name, _ := writeRecords(t,
		frame(t, knownMessage(t, true), testSigner),
		frame(t, minimalMessage(), nil))
	for _, format := range []string{"txt", "json", "count"} {
		t.Run(format, func(t *testing.T) {
			r := runCat(t, "-format", format, name)
			if r.code != exitOK {
				t.Fatalf("exit %d:\n%s", r.code, r.stderr)
			}
			if !strings.HasSuffix(r.stderr, summary(2, 2)) {
				t.Errorf("stderr:\n%s", r.stderr)
			}
			golden := filepath.Join("testdata", "format."+format+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(r.stdout), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if r.stdout != string(want) {
				t.Errorf("output differs from %s:\ngot:\n%s\nwant:\n%s", golden, r.stdout, want)
			}
		})
	}
}

// bareFieldMessage encodes, by hand, a message with a field that has neither
// value_type nor representation on the wire, as the Lua sandbox writes them.
func bareFieldMessage() []byte {
	b := []byte{0x0a, 16}
	b = append(b, make([]byte, 16)...)
	b = append(b, 0x10, 0x01) // timestamp 1
	fld := []byte{0x0a, 4, 'b', 'a', 'r', 'e', 0x22, 1, 'x'}
	b = append(b, 0x52, byte(len(fld)))
	return append(b, fld...)
}

// TestFormatsMatchHeka checks the json and txt renderings against what
// Heka's tool printed for the same bytes: encoding/json of the generated
// proto2 struct, and the legacy compact text format of each field.
func TestFormatsMatchHeka(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"known", knownMessage(t, false).Marshal()},
		{"minimal", minimalMessage().Marshal()},
		{"bare field", bareFieldMessage()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ours message.Message
			if err := ours.Unmarshal(tc.data); err != nil {
				t.Fatal(err)
			}
			var ref pb.Message
			if err := proto.Unmarshal(tc.data, &ref); err != nil {
				t.Fatal(err)
			}

			wantJSON, err := json.Marshal(&ref)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(appendJSON(nil, &ours)); got != string(wantJSON)+"\n" {
				t.Errorf("json:\n got %s\nwant %s", got, wantJSON)
			}

			var fields []string
			for _, f := range ref.GetFields() {
				fields = append(fields, golangproto.CompactTextString(f))
			}
			wantFields := "Fields: [" + strings.Join(fields, " ") + "]\n\n"
			txt := string(appendTxt(nil, &ours, time.UTC))
			if i := strings.Index(txt, "Fields: "); i < 0 || txt[i:] != wantFields {
				t.Errorf("txt fields:\n got %q\nwant %q", txt[max(i, 0):], wantFields)
			}
			wantTime := "Timestamp: " + time.Unix(0, ref.GetTimestamp()).UTC().String() + "\n"
			if !strings.HasPrefix(txt, wantTime) {
				t.Errorf("txt timestamp:\n got %q\nwant prefix %q", txt, wantTime)
			}
		})
	}
}

func TestJSONNonFinite(t *testing.T) {
	m := new(message.Message)
	m.AddField(field(t, "d", []float64{math.NaN(), math.Inf(1), math.Inf(-1), 1.5}, ""))
	got := string(appendJSON(nil, m))
	want := `{"fields":[{"name":"d","value_type":3,"representation":"","value_double":["NaN","Infinity","-Infinity",1.5]}]}` + "\n"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func BenchmarkFormat(b *testing.B) {
	m := knownMessage(b, false)
	rec := m.Marshal()
	for _, f := range []string{"txt", "json", "heka"} {
		fm, _ := parseFormat(f)
		b.Run(f, func(b *testing.B) {
			b.ReportAllocs()
			var buf []byte
			for b.Loop() {
				buf = fm.append(buf[:0], m, rec, time.UTC)
			}
			b.SetBytes(int64(len(buf)))
		})
	}
}
