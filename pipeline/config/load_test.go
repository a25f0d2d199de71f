package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hekad-go/hekad/pipeline"
)

func TestLoadBytesMatchesLoad(t *testing.T) {
	const conf = "[tcp]\ntype = \"FakeTcpInput\"\naddress = \"127.0.0.1:1\"\n"
	path := filepath.Join(t.TempDir(), "hekad.toml")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	fromFile, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	fromBytes, err := LoadBytes(path, []byte(conf))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := dumpPlan(fromFile), dumpPlan(fromBytes); a != b {
		t.Errorf("Load and LoadBytes differ:\n%s\n%s", a, b)
	}
	in := fromFile.Inputs[0]
	cfg, ok := in.Config.(*tcpInputConfig)
	if !ok || cfg.Address != "127.0.0.1:1" {
		t.Fatalf("Config = %#v, want *tcpInputConfig with the address", in.Config)
	}
	if in.Kind != pipeline.KindInput || in.Source != path || in.Registration.Name != "FakeTcpInput" {
		t.Errorf("section = %+v", in.Section)
	}
}

func TestLoadMissingPath(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.toml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want os.ErrNotExist", err)
	}
}

func TestLoadEmptyDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("[x]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(dir)
	if !errors.Is(err, ErrEmpty) {
		t.Fatalf("err = %v, want ErrEmpty", err)
	}
}

func TestErrorParts(t *testing.T) {
	conf := "[out]\ntype = \"FakeLogOutput\"\nmessage_matcher = \"TRUE\"\nadress = 1\n\n" +
		"[in]\ntype = \"FakeUdpInput\"\nticker_interval = \"x\"\n"
	plan, err := LoadBytes("h.toml", []byte(conf))
	if plan != nil {
		t.Fatal("a Plan came with an error")
	}
	var all []*Error
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var ce *Error
		if !errors.As(e, &ce) {
			t.Fatalf("%v is not an *Error", e)
		}
		all = append(all, ce)
	}
	if len(all) != 2 {
		t.Fatalf("got %d errors, want 2: %v", len(all), err)
	}
	unknown := all[0]
	if !errors.Is(unknown, ErrUnknownKey) || unknown.File != "h.toml" || unknown.Section != "out" ||
		unknown.Type != "FakeLogOutput" || unknown.Key != "adress" {
		t.Errorf("unknown key error = %+v", unknown)
	}
	bad := all[1]
	if bad.Section != "in" || bad.Key != "ticker_interval" || bad.Line != 8 {
		t.Errorf("type error = %+v", bad)
	}
	if !strings.HasPrefix(bad.Error(), "h.toml:8: [in] (FakeUdpInput): ticker_interval: ") {
		t.Errorf("rendered as %q", bad.Error())
	}
}

func TestFreeformOnlyForDeclaredTables(t *testing.T) {
	conf := "[sb]\ntype = \"FakeSandboxFilter\"\nfilename = \"a.lua\"\nmessage_matcher = \"TRUE\"\n" +
		"[sb.config]\nanything = 1\n[sb.config.deeper]\nx = 2\n[sb.other]\ny = 3\n"
	_, err := LoadBytes("h.toml", []byte(conf))
	if err == nil || err.Error() != `h.toml:9: [sb] (FakeSandboxFilter): other: unknown key` {
		t.Fatalf("err = %v", err)
	}
}

func FuzzLoadBytes(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/config.toml")
	more, _ := filepath.Glob("testdata/*/conf.d/*.toml")
	for _, path := range append(seeds, more...) {
		if fi, err := os.Stat(path); err != nil || fi.IsDir() {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		plan, err := LoadBytes("fuzz.toml", data)
		if (plan == nil) == (err == nil) {
			t.Fatalf("plan %v with error %v", plan != nil, err)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "fuzz.toml") {
			t.Fatalf("error without the file name: %v", err)
		}
	})
}

func BenchmarkLoadBytes(b *testing.B) {
	data, err := os.ReadFile("testdata/use_framing/config.toml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := LoadBytes("bench.toml", data); err != nil {
			b.Fatal(err)
		}
	}
}

func TestMatcherErrorPosition(t *testing.T) {
	conf := "[log]\ntype = \"FakeLogOutput\"\nmessage_matcher = \"Type == 'a' && (Severity < 4\"\n"
	_, err := LoadBytes("h.toml", []byte(conf))
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want an *Error", err)
	}
	if ce.Key != "message_matcher" || ce.Pos != 28 {
		t.Errorf("key %q pos %d, want message_matcher at byte 28 (%v)", ce.Key, ce.Pos, err)
	}
}

// TestBaseDirDefault checks that a base_dir the configuration sets is kept
// and that one it leaves out is DefaultBaseDir, which is Heka's
// /var/cache/hekad only when this process may write there.
func TestBaseDirDefault(t *testing.T) {
	tests := []struct {
		name, conf, want string
		defaulted        bool
	}{
		{"set", "[hekad]\nbase_dir = \"/srv/hekad\"\n" + minimal, "/srv/hekad", false},
		{"hekad section without it", "[hekad]\npoolsize = 10\n" + minimal, DefaultBaseDir(), true},
		{"no hekad section", minimal, DefaultBaseDir(), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := LoadBytes("h.toml", []byte(tc.conf))
			if err != nil {
				t.Fatal(err)
			}
			if plan.Globals.BaseDir != tc.want || plan.BaseDirDefaulted != tc.defaulted {
				t.Errorf("base_dir %q (defaulted %v), want %q (%v)", plan.Globals.BaseDir, plan.BaseDirDefaulted, tc.want, tc.defaulted)
			}
		})
	}
	if os.Geteuid() == 0 && DefaultBaseDir() != HekaBaseDir {
		t.Errorf("as root the default base_dir is %q, want Heka's %q", DefaultBaseDir(), HekaBaseDir)
	}
	if os.Geteuid() != 0 && DefaultBaseDir() == HekaBaseDir && !usable(HekaBaseDir) {
		t.Errorf("default base_dir %q is not usable by this user", HekaBaseDir)
	}
}
