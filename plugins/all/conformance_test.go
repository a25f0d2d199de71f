package all_test

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
	_ "github.com/hekad-go/hekad/plugins/all"
	"github.com/hekad-go/hekad/plugins/plugintest"
)

// targets says how to run the plugins that cannot run from their sample
// alone (plugintest.NeedsTarget) and adds records for others. A plugin
// registered by plugins/all whose kind needs a target and has none here
// fails TestConformance: add its entry when you add the plugin.
var targets = map[string]plugintest.Target{
	"TcpInput": {Config: func(testing.TB) map[string]any {
		return map[string]any{"address": "127.0.0.1:0"}
	}},
	"ProtobufDecoder":     {Valid: goodMessage().Marshal(), MessageBytes: true},
	"PayloadRegexDecoder": {Valid: []byte(`192.0.2.7 - alice [25/Nov/2026:08:00:00 +0000] "GET /index.html HTTP/1.1" 200 512 "-" "curl/8.0"`)},
	"TcpOutput":           {Config: drainServer},
	// Its sample cuts records where a line starts with a date.
	"RegexSplitter": {Valid: []byte("2026-12-04 one\n2026-12-04 two\n2026-12-04 three")},
	"FileOutput": {Config: func(t testing.TB) map[string]any {
		return map[string]any{"path": filepath.Join(t.TempDir(), "out.log")}
	}},
	"LogOutput": {Config: stdoutToFile},
	"UdpInput": {Config: func(testing.TB) map[string]any {
		return map[string]any{"address": "127.0.0.1:0"}
	}},
	"UdpOutput": {Config: udpDrain},
}

// udpDrain listens for datagrams on a free 127.0.0.1 port and discards
// them; the output is configured to send there.
func udpDrain(t testing.TB) map[string]any {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 64<<10)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { pc.Close(); <-done })
	return map[string]any{"address": pc.LocalAddr().String()}
}

func goodMessage() *message.Message {
	m := new(message.Message)
	m.SetNewUUID()
	m.SetType("conformance")
	m.SetPayload(plugintest.Marker)
	return m
}

// drainServer listens on a free 127.0.0.1 port and reads every connection
// to its end; the output is configured to write there.
func drainServer(t testing.TB) map[string]any {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(io.Discard, c)
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return map[string]any{"address": ln.Addr().String()}
}

// stdoutToFile points os.Stdout, where LogOutput prints, at a file for the
// test.
func stdoutToFile(t testing.TB) map[string]any {
	f, err := os.Create(filepath.Join(t.TempDir(), "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = f
	t.Cleanup(func() { os.Stdout = old; f.Close() })
	return nil
}

// TestConformance runs plugintest's conformance suite over every
// registered plugin.
func TestConformance(t *testing.T) {
	regs := pipeline.Registered()
	if len(regs) == 0 {
		t.Fatal("no plugin registered")
	}
	for _, reg := range regs {
		t.Run(reg.Name, func(t *testing.T) {
			tg, ok := targets[reg.Name]
			if !ok && plugintest.NeedsTarget(reg.Kind) {
				t.Fatalf("%s (%v) has no run-based conformance coverage: add a plugintest.Target for it to targets in %s",
					reg.Name, reg.Kind, "plugins/all/conformance_test.go")
			}
			plugintest.Conform(t, reg.Name, tg)
		})
	}
	for name := range targets {
		if _, ok := pipeline.Lookup(name); !ok {
			t.Errorf("targets names %s, which is not registered", name)
		}
	}
}
