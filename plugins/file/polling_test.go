package file

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/plugins/plugintest"
)

type wholeSplitter struct{}

func (wholeSplitter) Split(data []byte, _ bool) (int, []byte, error) {
	if len(data) == 0 {
		return 0, nil, nil
	}
	return len(data), data, nil
}

func TestPollingDocs(t *testing.T) { plugintest.CheckDocs(t, readme, "FilePollingInput") }

// TestPolling reads a file at every tick, survives it missing and being a
// directory, and delivers it again once it is back.
func TestPolling(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	in, err := newPollingInput(PollingConfig{FilePath: path, TickerInterval: 7}, pipeline.NewEnv("poll", "FilePollingInput", nil, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	pin := in.(*PollingInput)
	host := plugintest.NewHost("poll", func() pipeline.Splitter { return wholeSplitter{} }, false)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, host) }()

	steps := []struct {
		name  string
		setup func()
		want  int // deliveries after the tick
	}{
		{"missing", func() {}, 0},
		{"present", func() { os.WriteFile(path, []byte("one\n"), 0o644) }, 1},
		{"rewritten", func() { os.WriteFile(path, []byte("two\n"), 0o644) }, 2},
		{"a directory", func() { os.Remove(path); os.Mkdir(path, 0o755) }, 2},
		{"back", func() { os.Remove(path); os.WriteFile(path, []byte("three\n"), 0o644) }, 3},
	}
	for _, s := range steps {
		s.setup()
		before := pin.polls.Load()
		pin.Tick(ctx, nil)
		plugintest.Eventually(t, waitLong, s.name+": a poll", func() bool { return pin.polls.Load() > before })
		plugintest.Eventually(t, waitLong, s.name+": deliveries", func() bool { return len(host.Deliveries()) == s.want })
	}
	m := host.Deliveries()[2].Message
	if m.GetPayload() != "three\n" || m.GetType() != "heka.file.polling" {
		t.Errorf("message %q type %q", m.GetPayload(), m.GetType())
	}
	var names []string
	for _, f := range m.GetFields() {
		names = append(names, f.GetName())
	}
	if len(names) != 2 || names[0] != "TickerInterval" || m.GetFields()[0].GetValue() != int64(7) || m.GetFields()[1].GetValue() != path {
		t.Errorf("fields %v", names)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}
