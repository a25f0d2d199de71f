package multi_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
	_ "github.com/hekad-go/hekad/plugins/payload"
	"github.com/hekad-go/hekad/plugins/plugintest"
	_ "github.com/hekad-go/hekad/plugins/protobuf"
	_ "github.com/hekad-go/hekad/plugins/scribble"
)

// Test-only decoders: TestFanoutDecoder turns a payload "a,b,c" into one
// message per item (spawning packs), and fails a payload without a comma;
// TestFatalDecoder fails every record with pipeline.ErrFatal.
func init() {
	pipeline.RegisterDecoder("TestFanoutDecoder", func() struct{} { return struct{}{} },
		func(struct{}, *pipeline.Env) (pipeline.Decoder, error) { return fanout{}, nil })
	pipeline.RegisterDecoder("TestFatalDecoder", func() struct{} { return struct{}{} },
		func(struct{}, *pipeline.Env) (pipeline.Decoder, error) { return fatal{}, nil })
}

type fanout struct{}

func (fanout) Decode(ctx context.Context, p *pipeline.Pack, out []*pipeline.Pack) ([]*pipeline.Pack, error) {
	items := strings.Split(p.Message().GetPayload(), ",")
	if len(items) < 2 {
		return out, pipeline.Drop(errors.New("no comma"))
	}
	for i, it := range items {
		q := p
		if i > 0 {
			var err error
			if q, err = p.Spawn(ctx); err != nil {
				return out, err
			}
		}
		m := q.MutableMessage()
		m.SetPayload(it)
		m.SetType("item")
		out = append(out, q)
	}
	return out, nil
}

type fatal struct{}

func (fatal) Decode(_ context.Context, _ *pipeline.Pack, out []*pipeline.Pack) ([]*pipeline.Pack, error) {
	return out, fmt.Errorf("broken: %w", pipeline.ErrFatal)
}

// subs are the sub sections every case may name.
const subs = `
[mytype]
type = "ScribbleDecoder"
[mytype.message_fields]
Type = "MyType"
Environment = "test"

[kv]
type = "PayloadRegexDecoder"
match_regex = '^(?P<k>\w+)=(?P<v>\w+)$'
[kv.message_fields]
Type = "kv"
key = "%k%"
value = "%v%"

[kv_quiet]
type = "PayloadRegexDecoder"
match_regex = '^(?P<k>\w+)=(?P<v>\w+)$'
log_errors = false
[kv_quiet.message_fields]
Type = "kv"

[num]
type = "PayloadRegexDecoder"
match_regex = '^(?P<n>\d+)$'
[num.message_fields]
Type = "num"
n = "%n%"

[fan]
type = "TestFanoutDecoder"

[boom]
type = "TestFatalDecoder"

[inner]
type = "MultiDecoder"
subs = ["kv", "num"]
`

// framed returns a valid encoded message of type typ and payload payload.
func encoded(typ, payload string) []byte {
	var m message.Message
	m.SetNewUUID()
	m.SetType(typ)
	m.SetPayload(payload)
	m.SetHostname("origin")
	return m.Marshal()
}

// result is what a decoded pack reads as.
type result struct {
	Type, Payload string
	Fields        string // "name=value,..." in order
	Trusted       bool   // the pack's bytes are the record, forwarded as they are
}

func read(p *pipeline.Pack) result {
	m := p.Message()
	var fs []string
	for _, f := range m.GetFields() {
		fs = append(fs, fmt.Sprintf("%s=%v", f.GetName(), f.GetValue()))
	}
	return result{Type: m.GetType(), Payload: m.GetPayload(), Fields: strings.Join(fs, ","), Trusted: p.BytesTrusted()}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name     string
		strategy string
		subs     string
		record   []byte // message bytes when bytes is set, else a text payload
		bytes    bool
		want     []result
		wantErr  string
	}{
		// first-wins
		{name: "first-wins/protobuf wins", strategy: "first-wins", subs: `"ProtobufDecoder", "mytype"`,
			record: encoded("orig", "p"), bytes: true,
			want: []result{{Type: "orig", Payload: "p", Trusted: true}}},
		{name: "first-wins/protobuf fails, scribble next", strategy: "first-wins", subs: `"ProtobufDecoder", "mytype"`,
			record: []byte("hello"),
			want:   []result{{Type: "MyType", Payload: "hello", Fields: "Environment=test"}}},
		{name: "first-wins/second regex", strategy: "first-wins", subs: `"kv", "num"`,
			record: []byte("42"),
			want:   []result{{Type: "num", Payload: "42", Fields: "n=42"}}},
		{name: "first-wins/first regex, second unseen", strategy: "first-wins", subs: `"kv", "mytype"`,
			record: []byte("a=b"),
			want:   []result{{Type: "kv", Payload: "a=b", Fields: "key=a,value=b"}}},
		{name: "first-wins/silent drop counts as failure", strategy: "first-wins", subs: `"kv_quiet", "num"`,
			record: []byte("7"),
			want:   []result{{Type: "num", Payload: "7", Fields: "n=7"}}},
		{name: "first-wins/all fail", strategy: "first-wins", subs: `"kv", "num"`,
			record: []byte("neither"), wantErr: "all subdecoders failed"},
		{name: "first-wins/fanout result", strategy: "first-wins", subs: `"fan", "mytype"`,
			record: []byte("x,y"),
			want:   []result{{Type: "item", Payload: "x"}, {Type: "item", Payload: "y"}}},
		{name: "first-wins/nested", strategy: "first-wins", subs: `"inner", "mytype"`,
			record: []byte("5"),
			want:   []result{{Type: "num", Payload: "5", Fields: "n=5"}}},
		{name: "first-wins/fatal stops", strategy: "first-wins", subs: `"boom", "mytype"`,
			record: []byte("x"), wantErr: "fatal"},

		// all
		{name: "all/protobuf then scribble", strategy: "all", subs: `"ProtobufDecoder", "mytype"`,
			record: encoded("orig", "p"), bytes: true,
			want: []result{{Type: "MyType", Payload: "p", Fields: "Environment=test"}}},
		{name: "all/failure passes through", strategy: "all", subs: `"ProtobufDecoder", "mytype"`,
			record: []byte("not protobuf"),
			want:   []result{{Type: "MyType", Payload: "not protobuf", Fields: "Environment=test"}}},
		{name: "all/regex then scribble", strategy: "all", subs: `"kv", "mytype"`,
			record: []byte("a=b"),
			want:   []result{{Type: "MyType", Payload: "a=b", Fields: "key=a,value=b,Environment=test"}}},
		{name: "all/last fails, earlier kept", strategy: "all", subs: `"kv", "num"`,
			record: []byte("a=b"),
			want:   []result{{Type: "kv", Payload: "a=b", Fields: "key=a,value=b"}}},
		{name: "all/every output pack goes on", strategy: "all", subs: `"fan", "num", "mytype"`,
			record: []byte("1,x,3"),
			want: []result{
				{Type: "MyType", Payload: "1", Fields: "n=1,Environment=test"},
				{Type: "MyType", Payload: "x", Fields: "Environment=test"},
				{Type: "MyType", Payload: "3", Fields: "n=3,Environment=test"},
			}},
		{name: "all/all fail", strategy: "all", subs: `"kv", "num", "fan"`,
			record: []byte("neither"), wantErr: "all subdecoders failed"},
		{name: "all/fatal stops after fanout", strategy: "all", subs: `"fan", "boom"`,
			record: []byte("a,b,c"), wantErr: "fatal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := fmt.Sprintf("[m]\ntype = \"MultiDecoder\"\nsubs = [%s]\ncascade_strategy = %q\nlog_sub_errors = true\n%s",
				tc.subs, tc.strategy, subs)
			dec := plugintest.Build(t, doc, "m").(pipeline.Decoder)
			for round := range 2 { // a second record reuses the scratch space
				pool := pipeline.NewPool("test", 8, 0)
				p, err := pool.Get(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				if tc.bytes {
					p.MsgBytes = append(p.MsgBytes[:0], tc.record...)
				} else {
					m := p.MutableMessage()
					m.SetNewUUID()
					m.SetPayload(string(tc.record))
				}
				prefix := pipeline.NewPack()
				out, err := dec.Decode(t.Context(), p, []*pipeline.Pack{prefix})
				if len(out) == 0 || out[0] != prefix {
					t.Fatalf("round %d: Decode did not append to out", round)
				}
				out = out[1:]
				if tc.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
						t.Fatalf("round %d: error %v, want %q", round, err, tc.wantErr)
					}
					if len(out) != 0 {
						t.Fatalf("round %d: %d packs with the error", round, len(out))
					}
					if tc.wantErr == "fatal" && !errors.Is(err, pipeline.ErrFatal) {
						t.Fatalf("round %d: %v does not wrap ErrFatal", round, err)
					}
					p.Recycle()
				} else {
					if err != nil {
						t.Fatalf("round %d: %v", round, err)
					}
					var got []result
					for _, q := range out {
						got = append(got, read(q))
					}
					if !slices.Equal(got, tc.want) {
						t.Fatalf("round %d:\n got %+v\nwant %+v", round, got, tc.want)
					}
					if !slices.Contains(out, p) {
						p.Recycle()
					}
					for _, q := range out {
						q.Recycle()
					}
				}
				// Every pack spawned went back: none is left out of the pool.
				if _, borrowed := pool.Borrows(); pool.Len() != pool.Cap() || borrowed != 0 {
					t.Fatalf("round %d: %d packs not recycled", round, pool.Cap()-pool.Len()+int(borrowed))
				}
			}
		})
	}
}
