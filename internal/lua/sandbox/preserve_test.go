package sandbox

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// preserveScript keeps globals of every kind Heka preserves and some it
// leaves out.
const preserveScript = `
_PRESERVATION_VERSION = @V@
count = 0
name = "a \"quoted\"\nline\0nul\\"
flags = {on = true, off = false}
nums = {1/3, -0.5, 1e300, 2^53, 1462827600000000000, 1/0, -1/0}
nested = {level1 = {level2 = {"deep"}}}
shared = nested.level1
loop = {}
loop.self = loop
with_meta = setmetatable({}, {})
fn = function() end
[[KEYS]]
function process_message()
    count = count + 1
    return 0
end
function dump()
    local n = nums
    return string.format("%d|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s",
        count, name, tostring(flags.on), tostring(flags.off), tostring(n[1]), tostring(n[2]),
        tostring(n[3]), tostring(n[4]), tostring(n[5]), tostring(n[6]), tostring(n[7]),
        nested.level1.level2[1], tostring(shared == nested.level1), tostring(loop.self == loop),
        tostring(with_meta == nil), tostring(keys[true]), tostring(keys[2.5]))
end
`

func writePreserveScript(t *testing.T, dir string, version int) string {
	t.Helper()
	path := filepath.Join(dir, "keep.lua")
	src := strings.Replace(preserveScript, "[[KEYS]]", "keys = {[true] = 'yes', [2.5] = 'x', [{}] = 'dropped'}", 1)
	writeFile(t, path, strings.Replace(src, "@V@", string(rune('0'+version)), 1))
	return path
}

func startKeep(t *testing.T, script, data string, log *bytes.Buffer) *Sandbox {
	t.Helper()
	cfg := Config{Name: "keep", Script: script, PreservationFile: data, MemoryLimit: DefaultMemoryLimit,
		InstructionLimit: DefaultInstructionLimit}
	if log != nil {
		cfg.Logger = slog.New(slog.NewTextHandler(log, nil))
	}
	sb, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	return sb
}

func dump(t *testing.T, sb *Sandbox) string {
	t.Helper()
	res, err := sb.Call(t.Context(), "dump", 1)
	if err != nil {
		t.Fatal(err)
	}
	return res[0].String()
}

func TestPreserve(t *testing.T) {
	const fresh = "0|a \"quoted\"\nline\x00nul\\|true|false|0.33333333333333|-0.5|1e+300|9.007199254741e+15|1.4628276e+18|inf|-inf|deep|true|true|false|yes|x"
	restored := "3" + fresh[1:]
	tests := []struct {
		name      string
		version   int // of the script at restart
		corrupt   string
		want      string
		logWanted string
	}{
		{"restored", 1, "", restored, ""},
		{"version changed", 2, "", fresh, ""},
		{"corrupt syntax", 1, "_G[\"count\"] = = 3\n", fresh, "preserved data discarded"},
		{"corrupt runtime", 1, "_G[\"count\"] = 5\nerror('bad data')\n", fresh, "preserved data discarded"},
		{"corrupt loop", 1, "_G[\"count\"] = 5\nwhile true do end\n", fresh, "preserved data discarded"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			data := filepath.Join(dir, "sandbox_preservation", "keep.data")
			sb := startKeep(t, writePreserveScript(t, dir, 1), data, nil)
			for range 3 {
				if _, _, err := sb.ProcessMessage(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			if err := sb.Close(); err != nil {
				t.Fatal(err)
			}
			if tc.corrupt != "" {
				if tc.name == "corrupt loop" {
					// a smaller bound than the real one keeps the test fast
					src, _ := os.ReadFile(data)
					writeFile(t, data, string(src)+tc.corrupt)
				} else {
					writeFile(t, data, tc.corrupt)
				}
			}
			entries, _ := os.ReadDir(filepath.Dir(data))
			if len(entries) != 1 {
				t.Errorf("preservation dir holds %d files, want only the data file", len(entries))
			}
			var log bytes.Buffer
			sb2 := startKeep(t, writePreserveScript(t, dir, tc.version), data, &log)
			defer sb2.Close()
			if got := dump(t, sb2); got != tc.want {
				t.Errorf("after restart:\n got %q\nwant %q", got, tc.want)
			}
			if !strings.Contains(log.String(), tc.logWanted) || (tc.logWanted == "" && log.Len() > 0) {
				t.Errorf("log %q, want %q", log.String(), tc.logWanted)
			}
		})
	}
}

func TestPreserveFormat(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "keep.data")
	sb := startKeep(t, writePreserveScript(t, dir, 1), data, nil)
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"if _PRESERVATION_VERSION and _PRESERVATION_VERSION ~= 1 then return end\n",
		"_G[\"count\"] = 0\n",
		"_G[\"flags\"] = {}\n",
		"_G[\"flags\"][\"on\"] = true\n",
		"_G[\"nums\"][1] = 0.33333333333333331\n",
		"_G[\"nums\"][6] = 1/0\n",
		"_G[\"loop\"][\"self\"] = _G[\"loop\"]\n",
		"_G[\"keys\"][true] = \"yes\"\n",
	} {
		if !strings.Contains(string(got), line) {
			t.Errorf("data file lacks %q:\n%s", line, got)
		}
	}
	if !strings.Contains(string(got), "_G[\"shared\"] = _G[\"nested\"][\"level1\"]\n") &&
		!strings.Contains(string(got), "_G[\"nested\"][\"level1\"] = _G[\"shared\"]\n") {
		t.Errorf("data file lacks the shared reference:\n%s", got)
	}
	for _, absent := range []string{"with_meta", "\"fn\"", "\"string\"", "_PRESERVATION_VERSION\"]", "dropped", "concat", "_G[\"_G\"]"} {
		if strings.Contains(string(got), absent) {
			t.Errorf("data file holds %s:\n%s", absent, got)
		}
	}
}

// FuzzRestore feeds arbitrary preservation files to a sandbox: it must never
// panic or hang, and must either restore or report and start clean.
func FuzzRestore(f *testing.F) {
	f.Add([]byte("if _PRESERVATION_VERSION and _PRESERVATION_VERSION ~= 0 then return end\n_G[\"count\"] = 3\n"))
	f.Add([]byte("_G[\"t\"] = {}\n_G[\"t\"][1] = \"x\"\n_G[\"u\"] = _G[\"t\"]\n"))
	f.Add([]byte("while true do end"))
	f.Add([]byte("_G[\"count\"] = "))
	f.Add([]byte("count = string.rep('x', 1e9)"))
	dir := f.TempDir()
	script := filepath.Join(dir, "s.lua")
	if err := os.WriteFile(script, []byte("count = 0\nfunction process_message() count = count + 1 return 0 end"), 0o644); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sb, err := New(Config{Name: "fuzz", Script: script, MemoryLimit: 1 << 20, InstructionLimit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if err := sb.Compile(); err != nil {
			t.Fatal(err)
		}
		if err := sb.load(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer sb.Close()
		if err := sb.runPreserved(context.Background(), data, "fuzz.data", 100_000); err != nil {
			sb.L.Close()
			if err := sb.load(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		// restored data may break the script, but only as a termination
		var te *TerminatedError
		if _, _, err := sb.ProcessMessage(context.Background()); err != nil && !errors.As(err, &te) {
			t.Fatalf("after restore: %v", err)
		}
	})
}
