package main

import (
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestInstalledShareDir: a hekad installed as `make install PREFIX=...`
// does (binary in <prefix>/bin, the Lua files in <prefix>/share/heka) runs
// a Heka configuration that names lua_decoders/nginx_access.lua and sets no
// share_dir: it finds the decoder and its modules by itself, says so, and
// decodes the line.
func TestInstalledShareDir(t *testing.T) {
	if _, err := os.Stat("/usr/share/heka"); err == nil {
		t.Skip("/usr/share/heka exists: hekad would take it as share_dir")
	}
	prefix := t.TempDir()
	bin := filepath.Join(prefix, "bin", "hekad")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, hekadBin, bin, 0o755)
	share := filepath.Join(prefix, "share", "heka")
	err := filepath.WalkDir("../../share", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".lua") || strings.Contains(path, "/tests/") {
			return err
		}
		rel, _ := filepath.Rel("../../share", path)
		dst := filepath.Join(share, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		copyFile(t, path, dst, 0o644)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	out := filepath.Join(prefix, "out.log")
	cfg := filepath.Join(prefix, "hekad.toml")
	os.WriteFile(cfg, fmt.Appendf(nil, `[hekad]
base_dir = %q
[lines]
type = "TcpInput"
address = %q
splitter = "TokenSplitter"
decoder = "nginx_access"
[nginx_access]
type = "SandboxDecoder"
filename = "lua_decoders/nginx_access.lua"
[nginx_access.config]
type = "nginx.access"
log_format = '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent'
[out]
type = "FileOutput"
message_matcher = "Type == 'nginx.access' && Fields[status] == 404"
path = %q
encoder = "RstEncoder"
flush_interval = 20
[RstEncoder]
`, filepath.Join(prefix, "base"), addr, out), 0o644)
	p := startCmd(t, exec.Command(bin, "-config", cfg))
	p.waitListening(addr)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "10.1.2.3 - - [05/Dec/2026:01:02:03 +0000] \"GET /missing HTTP/1.1\" 404 12\n")
	c.Close()
	waitFor(t, 30*time.Second, "the decoded line", func() bool {
		b, _ := os.ReadFile(out)
		return strings.Contains(string(b), `value:"/missing`) || strings.Contains(string(b), "GET /missing")
	})
	if code := p.stop(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	if want := "share_dir not set in [hekad]: using " + share; !strings.Contains(p.Stdout(), want) {
		t.Errorf("hekad did not say %q:\n%s", want, p.Stdout())
	}
}
