package main

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/hekad-go/hekad/message"
)

// listen accepts one connection on 127.0.0.1 and returns everything sent
// on it through the channel.
func listen(t *testing.T) (string, <-chan []byte) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	got := make(chan []byte, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		b, _ := io.ReadAll(c)
		got <- b
	}()
	return l.Addr().String(), got
}

func TestInject(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		keys   map[string]string
		signer string
	}{
		{"unsigned", nil, nil, ""},
		{"md5", []string{"-signer", "ops", "-signer-key", "secret", "-signer-version", "2"}, map[string]string{"ops_2": "secret"}, "ops"},
		{"sha1", []string{"-signer", "ops", "-signer-key", "secret", "-signer-hash", "sha1"}, map[string]string{"ops_0": "secret"}, "ops"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr, got := listen(t)
			var stdout, stderr bytes.Buffer
			args := append([]string{"-heka", addr, "-type", "test.inject", "-payload", "hi", "-severity", "3", "-pid", "42", "-hostname", "h1"}, tc.args...)
			if code := run(args, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			r := message.NewReader(bytes.NewReader(<-got), message.FrameOptions{Keys: tc.keys})
			f, err := r.Next()
			if err != nil {
				t.Fatalf("reading the frame: %v (stats %+v)", err, r.Stats())
			}
			if f.Signer != tc.signer {
				t.Errorf("signer %q, want %q", f.Signer, tc.signer)
			}
			var m message.Message
			if err := m.Unmarshal(f.Message); err != nil {
				t.Fatal(err)
			}
			if m.GetType() != "test.inject" || m.GetPayload() != "hi" || m.GetSeverity() != 3 || m.GetPid() != 42 ||
				m.GetHostname() != "h1" || m.GetLogger() != "Inject Client" || len(m.GetUuid()) != 16 || m.GetTimestamp() == 0 {
				t.Errorf("message %v %q %d %d %q %q", m.GetType(), m.GetPayload(), m.GetSeverity(), m.GetPid(), m.GetHostname(), m.GetLogger())
			}
			if _, err := r.Next(); err != io.EOF {
				t.Errorf("more than one frame: %v", err)
			}
		})
	}
}

func TestInjectErrors(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(nil, &out, &errb); code != 0 || !strings.Contains(out.String(), "-heka") {
		t.Errorf("no flags: exit %d, usage %q", code, out.String())
	}
	errb.Reset()
	if code := run([]string{"-signer", "x", "-signer-hash", "sha256"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "sha256") {
		t.Errorf("bad hash: exit %d %q", code, errb.String())
	}
	errb.Reset()
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	if code := run([]string{"-heka", addr}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "send message") {
		t.Errorf("refused: exit %d %q", code, errb.String())
	}
}
