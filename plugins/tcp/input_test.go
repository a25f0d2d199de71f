package tcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/plugins/plugintest"
)

const waitLong = 10 * time.Second

// buildInput builds a TcpInput named "tcp_in" through its registration,
// listening on 127.0.0.1 with a free port unless mod says otherwise.
func buildInput(t *testing.T, mod func(*InputConfig)) *Input {
	t.Helper()
	reg, ok := pipeline.Lookup("TcpInput")
	if !ok {
		t.Fatal("TcpInput not registered")
	}
	cfg := reg.NewConfig().(*InputConfig)
	cfg.Address = "127.0.0.1:0"
	if mod != nil {
		mod(cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	p, err := reg.Build(cfg, pipeline.NewEnv("tcp_in", "TcpInput", nil, nil, nil))
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return p.(*Input)
}

// runInput starts in.Run and waits until it listens. stop cancels the
// context and returns Run's result, failing the test if Run does not
// return in time.
func runInput(t *testing.T, in *Input, host pipeline.InputHost) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, host) }()
	select {
	case <-in.Ready():
	case err := <-done:
		cancel()
		t.Fatalf("Run returned before listening: %v", err)
	case <-time.After(waitLong):
		cancel()
		t.Fatal("input did not start listening")
	}
	var once sync.Once
	var result error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case result = <-done:
			case <-time.After(waitLong):
				t.Fatal("Run did not return after its context was cancelled")
			}
		})
		return result
	}
	t.Cleanup(func() { stop() })
	return stop
}

func framed(t testing.TB, typ, payload string) []byte {
	t.Helper()
	m := new(message.Message)
	m.SetNewUUID()
	m.SetTimestamp(time.Now().UnixNano())
	m.SetType(typ)
	m.SetPayload(payload)
	b, err := message.AppendFrame(nil, m.Marshal(), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func framingHost() *plugintest.Host {
	return plugintest.NewHost("tcp_in", func() pipeline.Splitter {
		return plugintest.FramingSplitter(message.FrameOptions{})
	}, true)
}

func TestInputFramedConnections(t *testing.T) {
	plugintest.CheckGoroutines(t)
	in := buildInput(t, nil)
	host := framingHost()
	stop := runInput(t, in, host)

	const conns, perConn = 4, 25
	var wg sync.WaitGroup
	for c := range conns {
		conn, err := net.Dial("tcp", in.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			defer conn.Close()
			var buf []byte
			for i := range perConn {
				buf = append(buf, framed(t, "test", fmt.Sprintf("c%d-%d", c, i))...)
			}
			// Send in uneven pieces so records straddle reads.
			for len(buf) > 0 {
				n := min(len(buf), 37)
				if _, err := conn.Write(buf[:n]); err != nil {
					t.Error(err)
					return
				}
				buf = buf[n:]
			}
		})
	}
	wg.Wait()
	got := host.WaitDeliveries(t, conns*perConn, waitLong)
	if len(got) != conns*perConn {
		t.Fatalf("got %d messages, want %d", len(got), conns*perConn)
	}
	// Each connection's messages arrive in order, on their own stream.
	next := map[string]int{}
	conn := map[string]string{}
	for _, d := range got {
		var c, i int
		if _, err := fmt.Sscanf(d.Message.GetPayload(), "c%d-%d", &c, &i); err != nil {
			t.Fatalf("payload %q: %v", d.Message.GetPayload(), err)
		}
		key := fmt.Sprint(c)
		if prev, ok := conn[key]; ok && prev != d.Source.Name {
			t.Errorf("connection %d's messages came from streams %s and %s", c, prev, d.Source.Name)
		}
		conn[key] = d.Source.Name
		if i != next[key] {
			t.Errorf("connection %d: got message %d, want %d", c, i, next[key])
		}
		next[key] = i + 1
		if d.Message.GetType() != "test" {
			t.Errorf("type %q, want the sender's", d.Message.GetType())
		}
	}
	host.WaitFor(t, waitLong, "streams to end", func(h *plugintest.Host) bool {
		started, open := h.Streams()
		return started == conns && open == 0
	})
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if f := in.Report(); f[0].Value.(int64) != conns {
		t.Errorf("AcceptedConnections = %v, want %d", f[0].Value, conns)
	}
}

func TestInputTextMode(t *testing.T) {
	plugintest.CheckGoroutines(t)
	in := buildInput(t, nil)
	host := plugintest.NewHost("tcp_in", plugintest.LineSplitter, false)
	runInput(t, in, host)

	conn, err := net.Dial("tcp", in.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "alpha\nbeta\n"); err != nil {
		t.Fatal(err)
	}
	got := host.WaitDeliveries(t, 2, waitLong)
	for i, want := range []string{"alpha\n", "beta\n"} {
		m := got[i].Message
		if m.GetPayload() != want {
			t.Errorf("payload %q, want %q", m.GetPayload(), want)
		}
		if m.GetType() != "tcp_in" {
			t.Errorf("Type %q, want the input name", m.GetType())
		}
		if m.GetLogger() != "tcp_in" {
			t.Errorf("Logger %q, want the input name", m.GetLogger())
		}
		if m.GetHostname() != conn.LocalAddr().String() {
			t.Errorf("Hostname %q, want the remote ip:port %q", m.GetHostname(), conn.LocalAddr())
		}
	}
}

func TestInputStopClosesConnections(t *testing.T) {
	plugintest.CheckGoroutines(t)
	in := buildInput(t, func(c *InputConfig) { c.KeepAlive = true; c.KeepAlivePeriod = 30 })
	host := framingHost()
	stop := runInput(t, in, host)

	conn, err := net.Dial("tcp", in.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write(framed(t, "x", "one")); err != nil {
		t.Fatal(err)
	}
	host.WaitDeliveries(t, 1, waitLong)
	// The client stays connected and silent; stopping must not wait for it.
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	conn.SetReadDeadline(time.Now().Add(waitLong))
	if _, err := conn.Read(make([]byte, 1)); err == nil {
		t.Error("connection still open after the input stopped")
	}
	if _, err := net.Dial("tcp", in.Addr().String()); err == nil {
		t.Error("still accepting after the input stopped")
	}
}

func TestInputUnix(t *testing.T) {
	plugintest.CheckGoroutines(t)
	path := filepath.Join(t.TempDir(), "in.sock")
	in := buildInput(t, func(c *InputConfig) { c.Net = "unix"; c.Address = path })
	host := framingHost()
	stop := runInput(t, in, host)

	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write(framed(t, "unix", "over a socket file")); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	got := host.WaitDeliveries(t, 1, waitLong)
	if got[0].Message.GetPayload() != "over a socket file" {
		t.Errorf("payload %q", got[0].Message.GetPayload())
	}
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestInputListenFailure(t *testing.T) {
	plugintest.CheckGoroutines(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	in := buildInput(t, func(c *InputConfig) { c.Address = busy.Addr().String() })
	err = in.Run(t.Context(), framingHost())
	if err == nil {
		t.Fatal("Run succeeded on an address in use")
	}
	if errors.Is(err, pipeline.ErrRetry) {
		t.Errorf("listen failure %v asks for a retry; it should end the input", err)
	}
}

func TestInputConfig(t *testing.T) {
	cfg, err := plugintest.DecodeConfig("[in]\ntype = \"TcpInput\"\naddress = \":5565\"\n", "TcpInput")
	if err != nil {
		t.Fatal(err)
	}
	want := InputConfig{Address: ":5565", Net: "tcp", KeepAlivePeriod: 7200, TLS: TLSConfig{PreferServerCiphers: true}}
	if got := *cfg.(*InputConfig); !reflect.DeepEqual(got, want) {
		t.Errorf("decoded %+v, want %+v", got, want)
	}
	var c pipeline.InputCommon = pipeline.DefaultInputCommon()
	cfg.(*InputConfig).DefaultInputCommon(&c)
	if c.Splitter != "HekaFramingSplitter" || c.Decoder != "ProtobufDecoder" {
		t.Errorf("common defaults: splitter %q decoder %q", c.Splitter, c.Decoder)
	}

	plugintest.CheckInvalid(t, "TcpInput", map[string]string{
		"[in]\ntype = \"TcpInput\"\n":                                                           "address",
		"[in]\ntype = \"TcpInput\"\naddress = \":1\"\nnet = \"udp\"\n":                          "net",
		"[in]\ntype = \"TcpInput\"\naddress = \"nocolon\"\n":                                    "address",
		"[in]\ntype = \"TcpInput\"\naddress = \"/s\"\nnet = \"unix\"\nkeep_alive = true\n":      "keep_alive",
		"[in]\ntype = \"TcpInput\"\naddress = \":1\"\nkeep_alive = true\nkeep_alive_period = 0": "keep_alive_period",
		"[in]\ntype = \"TcpInput\"\naddress = \":1\"\nadress = \":2\"\n":                        "adress",
		"[in]\ntype = \"TcpInput\"\naddress = \":1\"\nuse_tls = true\n":                         "use_tls",
	})
}
