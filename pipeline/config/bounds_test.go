package config

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hekad-go/hekad/pipeline"
)

// minimal is a plugin section that makes a configuration non-empty.
const minimal = "[in]\ntype = \"FakeUdpInput\"\n"

// TestBoundsErrors loads configurations with an option out of its bounds
// and checks the whole error text: file, section, type, key and bound.
func TestBoundsErrors(t *testing.T) {
	tests := []struct {
		name string
		conf string
		want string
	}{
		{"poolsize too large", "[hekad]\npoolsize = 10000000\n" + minimal,
			"h.toml:2: [hekad]: poolsize: must be at most 1000000, got 10000000"},
		{"poolsize zero", "[hekad]\npoolsize = 0\n" + minimal,
			"h.toml:2: [hekad]: poolsize: must be greater than 0, got 0"},
		{"plugin_chansize too large", "[hekad]\nplugin_chansize = 100001\n" + minimal,
			"h.toml:2: [hekad]: plugin_chansize: must be at most 100000, got 100001"},
		{"plugin_chansize negative", "[hekad]\nplugin_chansize = -1\n" + minimal,
			"h.toml:2: [hekad]: plugin_chansize: must be greater than 0, got -1"},
		{"max_message_size too large", "[hekad]\nmax_message_size = 268435457\n" + minimal,
			"h.toml:2: [hekad]: max_message_size: must be at most 268435456 (256 MiB), got 268435457"},
		{"max_message_size too small", "[hekad]\nmax_message_size = 1024\n" + minimal,
			"h.toml:2: [hekad]: max_message_size: must be greater than 1024, got 1024"},
		{"max_message_loops too large", "[hekad]\nmax_message_loops = 256\n" + minimal,
			"h.toml:2: [hekad]: max_message_loops: must be at most 255, got 256"},
		{"max_process_inject too large", "[hekad]\nmax_process_inject = 10001\n" + minimal,
			"h.toml:2: [hekad]: max_process_inject: must be at most 10000, got 10001"},
		{"max_timer_inject too large", "[hekad]\nmax_timer_inject = 10001\n" + minimal,
			"h.toml:2: [hekad]: max_timer_inject: must be at most 10000, got 10001"},
		{"shutdown_timeout zero", "[hekad]\nshutdown_timeout = \"0s\"\n" + minimal,
			`h.toml:2: [hekad]: shutdown_timeout: must be greater than 0, got "0s"`},
		{"shutdown_timeout negative", "[hekad]\nshutdown_timeout = \"-5s\"\n" + minimal,
			`h.toml:2: [hekad]: shutdown_timeout: must be greater than 0, got "-5s"`},
		{"shutdown_timeout too long", "[hekad]\nshutdown_timeout = \"61m\"\n" + minimal,
			`h.toml:2: [hekad]: shutdown_timeout: must be at most "1h0m0s", got "1h1m0s"`},
		{"shutdown_timeout unparsable", "[hekad]\nshutdown_timeout = \"soon\"\n" + minimal,
			`h.toml:2: [hekad]: shutdown_timeout: invalid duration "soon": time: invalid duration "soon"`},
		{"shutdown_timeout without a unit", "[hekad]\nshutdown_timeout = 30\n" + minimal,
			`h.toml:2: [hekad]: shutdown_timeout: invalid duration "30": time: missing unit in duration "30"`},
		{"report_interval too long", "[hekad]\nreport_interval = 86401\n" + minimal,
			"h.toml:2: [hekad]: report_interval: must be at most 86400 (one day), got 86401"},
		// The TOML decoder wraps -1 into an unsigned integer (as it does for
		// every Seconds option); the bound still rejects it.
		{"report_interval negative", "[hekad]\nreport_interval = -1\n" + minimal,
			"h.toml:2: [hekad]: report_interval: must not be negative, got -1"},
		{"every [hekad] bound at once", "[hekad]\npoolsize = 2000000\nplugin_chansize = 0\nshutdown_timeout = \"2h\"\n" + minimal,
			"h.toml:2: [hekad]: poolsize: must be at most 1000000, got 2000000\n" +
				"h.toml:3: [hekad]: plugin_chansize: must be greater than 0, got 0\n" +
				`h.toml:4: [hekad]: shutdown_timeout: must be at most "1h0m0s", got "2h0m0s"`},
		{"decoder_workers zero", minimal + "decoder_workers = 0\n",
			"h.toml:3: [in] (FakeUdpInput): decoder_workers: must be from 1 to 64, got 0"},
		{"decoder_workers too many", minimal + "decoder_workers = 100000\n",
			"h.toml:3: [in] (FakeUdpInput): decoder_workers: must be from 1 to 64, got 100000"},
		{"max_file_size below the record size", "[out]\ntype = \"FakeTcpOutput\"\nmessage_matcher = \"TRUE\"\n[out.buffering]\nmax_file_size = 65536\n",
			"h.toml:5: [out] (FakeTcpOutput): buffering.max_file_size: must be at least the largest record size (65794), got 65536"},
		{"max_file_size below the record size of max_message_size", "[hekad]\nmax_message_size = 1048576\n" +
			"[out]\ntype = \"FakeLogOutput\"\nmessage_matcher = \"TRUE\"\nuse_buffering = true\n[out.buffering]\nmax_file_size = 1048576\n",
			"h.toml:8: [out] (FakeLogOutput): buffering.max_file_size: must be at least the largest record size (1048834), got 1048576"},
		{"max_buffer_size below max_file_size", "[out]\ntype = \"FakeTcpOutput\"\nmessage_matcher = \"TRUE\"\n[out.buffering]\nmax_buffer_size = 1000000\n",
			"h.toml:5: [out] (FakeTcpOutput): buffering.max_buffer_size: must be 0 (unlimited) or at least max_file_size (134217728), got 1000000"},
		{"filter max_buffer_size below max_file_size", "[f]\ntype = \"FakeCounterFilter\"\n[f.buffering]\nmax_file_size = 70000\nmax_buffer_size = 69999\n",
			"h.toml:5: [f] (FakeCounterFilter): buffering.max_buffer_size: must be 0 (unlimited) or at least max_file_size (70000), got 69999"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := LoadBytes("h.toml", []byte(tc.conf))
			if err == nil {
				t.Fatalf("loaded; want error %q", tc.want)
			}
			if plan != nil {
				t.Error("a Plan came with an error")
			}
			if err.Error() != tc.want {
				t.Errorf("error:\n%s\nwant:\n%s", err, tc.want)
			}
		})
	}
}

// TestBoundsAccepted loads configurations at or inside the bounds and
// checks the values that end up in the Plan.
func TestBoundsAccepted(t *testing.T) {
	tcpOut := "[out]\ntype = \"FakeTcpOutput\"\nmessage_matcher = \"TRUE\"\n"
	tests := []struct {
		name  string
		conf  string
		check func(*Plan) error
	}{
		{"shutdown_timeout default", minimal, func(p *Plan) error {
			return want("shutdown_timeout", p.Globals.ShutdownTimeout.Duration(), 30*time.Second)
		}},
		{"shutdown_timeout set", "[hekad]\nshutdown_timeout = \"1m30s\"\n" + minimal, func(p *Plan) error {
			return want("shutdown_timeout", p.Globals.ShutdownTimeout.Duration(), 90*time.Second)
		}},
		{"shutdown_timeout at the bound", "[hekad]\nshutdown_timeout = \"1h\"\n" + minimal, func(p *Plan) error {
			return want("shutdown_timeout", p.Globals.ShutdownTimeout.Duration(), time.Hour)
		}},
		{"report_interval default: off", minimal, func(p *Plan) error {
			return want("report_interval", p.Globals.ReportInterval, pipeline.Seconds(0))
		}},
		{"report_interval at the bound", "[hekad]\nreport_interval = 86400\n" + minimal, func(p *Plan) error {
			return want("report_interval", p.Globals.ReportInterval.Duration(), 24*time.Hour)
		}},
		{"[hekad] bounds inclusive", "[hekad]\npoolsize = 1000000\nplugin_chansize = 100000\nmax_message_size = 268435456\n" +
			"max_message_loops = 255\nmax_process_inject = 10000\nmax_timer_inject = 10000\n" + minimal, func(p *Plan) error {
			g := p.Globals
			return first(want("poolsize", g.PoolSize, pipeline.PoolSizeLimit),
				want("plugin_chansize", g.PluginChanSize, pipeline.PluginChanSizeLimit),
				want("max_message_size", g.MaxMessageSize, pipeline.MaxMessageSizeLimit),
				want("max_message_loops", g.MaxMessageLoops, pipeline.MaxMessageLoopsLimit),
				want("max_process_inject", g.MaxProcessInject, pipeline.MaxInjectLimit),
				want("max_timer_inject", g.MaxTimerInject, pipeline.MaxInjectLimit))
		}},
		{"decoder_workers at the bound", minimal + "decoder_workers = 64\n", func(p *Plan) error {
			return want("decoder_workers", p.Inputs[0].Common.DecoderWorkers, 64)
		}},
		{"max_file_size exactly the record size", tcpOut + "[out.buffering]\nmax_file_size = 65794\n", func(p *Plan) error {
			return want("max_file_size", p.Outputs[0].Common.Buffering.MaxFileSize, 65794)
		}},
		{"max_file_size too small without use_buffering", "[out]\ntype = \"FakeLogOutput\"\nmessage_matcher = \"TRUE\"\n[out.buffering]\nmax_file_size = 10\n", func(p *Plan) error {
			return want("max_file_size", p.Outputs[0].Common.Buffering.MaxFileSize, 10)
		}},
		{"partial buffering table keeps TcpOutput's defaults", tcpOut + "[out.buffering]\nmax_buffer_size = 1073741824\n", func(p *Plan) error {
			return want("buffering", p.Outputs[0].Common.Buffering, pipeline.BufferConfig{
				MaxFileSize: 128 << 20, MaxBufferSize: 1 << 30, FullAction: "shutdown", CursorUpdateCount: 50})
		}},
		{"partial buffering table overrides only its keys", tcpOut + "[out.buffering]\nfull_action = \"drop\"\ncursor_update_count = 7\n", func(p *Plan) error {
			return want("buffering", p.Outputs[0].Common.Buffering, pipeline.BufferConfig{
				MaxFileSize: 128 << 20, FullAction: "drop", CursorUpdateCount: 7})
		}},
		{"buffering zeros mean the plugin's defaults and 1", tcpOut + "[out.buffering]\nmax_file_size = 0\ncursor_update_count = 0\n", func(p *Plan) error {
			return want("buffering", p.Outputs[0].Common.Buffering, pipeline.BufferConfig{
				MaxFileSize: 128 << 20, FullAction: "shutdown", CursorUpdateCount: 1})
		}},
		{"no buffering table", tcpOut, func(p *Plan) error {
			return want("buffering", p.Outputs[0].Common.Buffering, pipeline.BufferConfig{
				MaxFileSize: 128 << 20, FullAction: "shutdown", CursorUpdateCount: 50})
		}},
		{"max_buffer_size equal to max_file_size", tcpOut + "[out.buffering]\nmax_buffer_size = 134217728\n", func(p *Plan) error {
			return want("max_buffer_size", p.Outputs[0].Common.Buffering.MaxBufferSize, 128<<20)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := LoadBytes("h.toml", []byte(tc.conf))
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.check(plan); err != nil {
				t.Error(err)
			}
		})
	}
}

// want returns an error naming key unless got equals exp.
func want[T comparable](key string, got, exp T) error {
	if got != exp {
		return fmt.Errorf("%s = %+v, want %+v", key, got, exp)
	}
	return nil
}

// first returns the first non-nil error.
func first(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// TestGlobalsDocumented checks that docs/configuration.md has a row for
// every [hekad] option.
func TestGlobalsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	typ := reflect.TypeFor[pipeline.Globals]()
	for i := range typ.NumField() {
		key := typ.Field(i).Tag.Get("toml")
		if !strings.Contains(string(doc), "| `"+key+"` |") {
			t.Errorf("docs/configuration.md has no row for [hekad] %s", key)
		}
	}
}
