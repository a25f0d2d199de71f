package udp

import (
	"context"
	_ "embed"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/plugins/plugintest"
	_ "github.com/hekad-go/hekad/plugins/split"
)

//go:embed README.md
var readme string

const waitLong = 10 * time.Second

func TestDocs(t *testing.T) {
	plugintest.CheckDocs(t, readme, "UdpInput", "UdpOutput")
}

func TestInvalidConfig(t *testing.T) {
	plugintest.CheckInvalid(t, "UdpInput", map[string]string{
		"[UdpInput]\naddress = \"127.0.0.1:1\"\nnet = \"tcp\"\n": "net",
		"[UdpInput]\n":                     "address",
		"[UdpInput]\naddress = \"fd:x\"\n": "address",
		"[UdpInput]\naddress = \"/tmp/s\"\nnet = \"unixgram\"\nset_hostname = true\n": "set_hostname",
		"[UdpInput]\naddress = \"127.0.0.1:1\"\nread_buffer_size = -1\n":              "read_buffer_size",
	})
	plugintest.CheckInvalid(t, "UdpOutput", map[string]string{
		"[UdpOutput]\nmessage_matcher = \"TRUE\"\nencoder = \"PayloadEncoder\"\naddress = \"nohost\"\n":                            "address",
		"[UdpOutput]\nmessage_matcher = \"TRUE\"\naddress = \"127.0.0.1:1\"\n":                                                     "encoder",
		"[UdpOutput]\nmessage_matcher = \"TRUE\"\nencoder = \"PayloadEncoder\"\naddress = \"127.0.0.1:1\"\nmax_message_size = 0\n": "max_message_size",
	})
}

// runInput runs a UdpInput with a TokenSplitter (text mode) on a Host and
// returns the host, the input's address and a stop function.
func runInput(t *testing.T, mod func(*InputConfig)) (*plugintest.Host, net.Addr, func()) {
	t.Helper()
	reg, _ := pipeline.Lookup("UdpInput")
	cfg := reg.NewConfig().(*InputConfig)
	cfg.Address = "127.0.0.1:0"
	if mod != nil {
		mod(cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	p, err := reg.Build(cfg, pipeline.NewEnv("udp_in", "UdpInput", nil, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	in := p.(*Input)
	sreg, _ := pipeline.Lookup("TokenSplitter")
	host := plugintest.NewHost("udp_in", func() pipeline.Splitter {
		s, err := sreg.Build(sreg.NewConfig(), pipeline.NewEnv("tok", "TokenSplitter", nil, nil, nil))
		if err != nil {
			t.Fatal(err)
		}
		return s.(pipeline.Splitter)
	}, false)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, host) }()
	select {
	case <-in.Ready():
	case err := <-done:
		t.Fatalf("Run returned before listening: %v", err)
	case <-time.After(waitLong):
		t.Fatal("not listening")
	}
	return host, in.Addr(), func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(waitLong):
			t.Error("Run did not return after cancel")
		}
	}
}

// TestInputSplitsEachDatagram: every datagram is split on its own; what it
// leaves after its last record is dropped, never glued to the next one.
func TestInputSplitsEachDatagram(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setHost bool
		host    string
	}{{"plain", false, ""}, {"set_hostname", true, "127.0.0.1"}} {
		t.Run(tc.name, func(t *testing.T) {
			host, addr, stop := runInput(t, func(c *InputConfig) { c.SetHostname = tc.setHost })
			defer stop()
			c, err := net.Dial("udp", addr.String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			for _, d := range []string{"a\nb\npartial", "c\n", "d\n"} {
				if _, err := c.Write([]byte(d)); err != nil {
					t.Fatal(err)
				}
			}
			ds := host.WaitDeliveries(t, 4, waitLong)
			var got []string
			for _, d := range ds {
				got = append(got, d.Message.GetPayload())
				if d.Message.GetType() != "udp_in" || d.Message.GetHostname() != tc.host {
					t.Errorf("type %q hostname %q, want udp_in and %q", d.Message.GetType(), d.Message.GetHostname(), tc.host)
				}
			}
			if strings.Join(got, "|") != "a\n|b\n|c\n|d\n" {
				t.Errorf("records %q", got)
			}
		})
	}
}

// TestInputUnixgram: a unix datagram socket, removed when the input stops.
func TestInputUnixgram(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.sock")
	host, _, stop := runInput(t, func(c *InputConfig) { c.Net, c.Address = "unixgram", path })
	c, err := net.Dial("unixgram", path)
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("over unix\n"))
	c.Close()
	if ds := host.WaitDeliveries(t, 1, waitLong); ds[0].Message.GetPayload() != "over unix\n" {
		t.Errorf("got %q", ds[0].Message.GetPayload())
	}
	stop()
	if _, err := net.Dial("unixgram", path); err == nil {
		t.Error("the socket file is still there after the input stopped")
	}
}

// TestOutput: each record is one datagram; a record over max_message_size
// is dropped, the next one still goes.
func TestOutput(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	reg, _ := pipeline.Lookup("UdpOutput")
	cfg := reg.NewConfig().(*OutputConfig)
	cfg.Address, cfg.MaxMessageSize, cfg.Encoder = pc.LocalAddr().String(), 10, "PayloadEncoder"
	p, err := reg.Build(cfg, pipeline.NewEnv("udp_out", "UdpOutput", nil, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	out := p.(*Output)
	defer out.Close()
	ctx := t.Context()
	if err := out.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		data string
		drop bool
	}{{"first", false}, {"much too long", true}, {"second", false}} {
		err := out.Write(ctx, pipeline.Record{Pack: pipeline.NewPack(), Data: []byte(tc.data)})
		if pipeline.IsDrop(err) != tc.drop || !tc.drop && err != nil {
			t.Errorf("write %q: %v, want drop %v", tc.data, err, tc.drop)
		}
	}
	buf := make([]byte, 100)
	pc.SetReadDeadline(time.Now().Add(waitLong))
	for _, want := range []string{"first", "second"} {
		n, _, err := pc.ReadFrom(buf)
		if err != nil || string(buf[:n]) != want {
			t.Fatalf("datagram %q, %v; want %q", buf[:n], err, want)
		}
	}
}
