package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
)

// TestMultiDecoderChain runs Heka's decoder chaining example (sample 8):
// TcpInput -> MultiDecoder [ProtobufDecoder, ScribbleDecoder Type "MyType"]
// with cascade_strategy "all" -> FileOutput (ProtobufEncoder, framed). Every
// message arrives with its own fields and the Type MyType; a frame that is
// not protobuf fails ProtobufDecoder and is passed on to the scribbler, as
// in Heka, so it arrives too (an empty message but for the Type), and a
// first-wins MultiDecoder on a second input drops it instead.
func TestMultiDecoderChain(t *testing.T) {
	const n = 500
	var sent []byte
	for i := range n {
		var m message.Message
		m.SetNewUUID()
		m.SetTimestamp(time.Now().UnixNano())
		m.SetType("orig")
		m.SetPayload(fmt.Sprintf("msg %d", i))
		f, err := message.NewField("seq", int64(i), "")
		if err != nil {
			t.Fatal(err)
		}
		m.AddField(f)
		if sent, err = message.AppendFrame(sent, m.Marshal(), nil, message.DefaultMaxMessageSize); err != nil {
			t.Fatal(err)
		}
	}
	bad, err := message.AppendFrame(nil, []byte{0x0a, 0xff, 0x01}, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	sent = append(append(append([]byte{}, bad...), sent...), bad...)

	allAddr, firstAddr := freePort(t), freePort(t)
	dir := t.TempDir()
	allOut, firstOut := filepath.Join(dir, "all.log"), filepath.Join(dir, "first.log")
	p := startHekad(t, fmt.Sprintf(`
[hekad]
base_dir = "%%BASE%%"

[all_in]
type = "TcpInput"
address = %q
decoder = "mytypedecoder"
log_decode_failures = false

[first_in]
type = "TcpInput"
address = %q
decoder = "firstwins"
log_decode_failures = false

[mytypedecoder]
type = "MultiDecoder"
subs = ["ProtobufDecoder", "mytype"]
cascade_strategy = "all"
log_sub_errors = true

[firstwins]
type = "MultiDecoder"
subs = ["ProtobufDecoder", "other"]

[mytype]
type = "ScribbleDecoder"
[mytype.message_fields]
Type = "MyType"

[other]
type = "PayloadRegexDecoder"
match_regex = '^(never)$'
log_errors = false

[all_out]
type = "FileOutput"
message_matcher = "Type == 'MyType'"
path = %q
encoder = "ProtobufEncoder"

[first_out]
type = "FileOutput"
message_matcher = "Type == 'orig'"
path = %q
encoder = "ProtobufEncoder"
`, allAddr, firstAddr, allOut, firstOut))
	p.waitListening(allAddr)
	p.waitListening(firstAddr)
	send(t, allAddr, sent)
	send(t, firstAddr, sent)
	want := n + 2
	waitFor(t, 30*time.Second, "every message in both files", func() bool {
		return len(readFramed(t, allOut)) >= want && len(readFramed(t, firstOut)) >= n
	})
	if code := p.stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}

	got := readFramed(t, allOut)
	if len(got) != want {
		t.Fatalf("all: %d messages, want %d", len(got), want)
	}
	seq := 0
	for i, m := range got {
		if m.GetType() != "MyType" {
			t.Fatalf("all: message %d has Type %q", i, m.GetType())
		}
		if i == 0 || i == len(got)-1 {
			if m.GetPayload() != "" {
				t.Errorf("all: the undecodable frame %d arrived with payload %q", i, m.GetPayload())
			}
			continue
		}
		if v, _ := m.GetFieldValue("seq"); v != int64(seq) || m.GetPayload() != fmt.Sprintf("msg %d", seq) {
			t.Fatalf("all: message %d is seq %v payload %q, want %d", i, v, m.GetPayload(), seq)
		}
		seq++
	}
	if !strings.Contains(p.Stderr(), "ProtobufDecoder") {
		t.Errorf("log_sub_errors: no error logged naming the ProtobufDecoder sub:\n%s", p.Stderr())
	}

	// first-wins: ProtobufDecoder wins every good frame, the bytes are
	// forwarded unchanged, and the bad frames fail both subs.
	first, err := os.ReadFile(firstOut)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, sent[len(bad):len(sent)-len(bad)]) {
		t.Fatalf("first-wins: output differs from the good frames sent (%d bytes, want %d)", len(first), len(sent)-2*len(bad))
	}
}

// readFramed reads the framed messages of a file (none when it is missing).
func readFramed(t *testing.T, path string) []*message.Message {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []*message.Message
	fs := message.NewFrameScanner(message.FrameOptions{})
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, message.MaxRecordSize(message.DefaultMaxMessageSize))
	sc.Split(fs.Split)
	for sc.Scan() {
		m := new(message.Message)
		if err := m.Unmarshal(fs.Message()); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}
