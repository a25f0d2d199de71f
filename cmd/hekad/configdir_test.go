package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigDirOverrideLogged: a section that a later file of a
// configuration directory defines again is logged (which file replaced
// which section from which file), by a normal start and by -check; so is
// a base_dir that [hekad] does not set.
func TestConfigDirOverrideLogged(t *testing.T) {
	dir := t.TempDir()
	cache := t.TempDir()
	conf := filepath.Join(dir, "conf.d")
	if err := os.Mkdir(conf, 0o755); err != nil {
		t.Fatal(err)
	}
	addr, addr2 := freePort(t), freePort(t)
	files := map[string]string{
		"00-base.toml":  fmt.Sprintf("[in]\ntype = \"TcpInput\"\naddress = %q\n\n[out]\ntype = \"LogOutput\"\nmessage_matcher = \"TRUE\"\nencoder = \"PayloadEncoder\"\n\n[PayloadEncoder]\n", addr2),
		"90-local.toml": fmt.Sprintf("# this host\n[in]\ntype = \"TcpInput\"\naddress = %q\n", addr),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(conf, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base, local := filepath.Join(conf, "00-base.toml"), filepath.Join(conf, "90-local.toml")
	override := fmt.Sprintf("[in] of %s:2 replaces [in] of %s:1", local, base)

	env := append(os.Environ(), "XDG_CACHE_HOME="+cache, "HOME="+dir)
	check := exec.Command(hekadBin, "-check", "-config", conf)
	check.Env = env
	out, err := check.CombinedOutput()
	if err != nil || !strings.Contains(string(out), override) {
		t.Errorf("-check: %v\n%s\nwant a line with %q", err, out, override)
	}

	p := &proc{t: t, done: make(chan struct{})}
	p.cmd = exec.Command(hekadBin, "-config", conf)
	p.cmd.Env = env
	p.cmd.Stdout = lockedWriter{&p.mu, &p.stdout}
	p.cmd.Stderr = lockedWriter{&p.mu, &p.stderr}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	p.waitListening(addr)
	if code := p.stop(); code != 0 {
		t.Fatalf("exit code %d\n%s", code, p.Stdout()+p.Stderr())
	}
	log := p.Stdout() + p.Stderr()
	for _, want := range []string{
		"loaded configuration config=" + conf + "\n",
		override,
		"base_dir not set in [hekad]: using ",
	} {
		if n := strings.Count(log, want); n != 1 {
			t.Errorf("%d lines with %q in:\n%s", n, want, log)
		}
	}
	if !strings.Contains(log, "base_dir not set in [hekad]: using "+filepath.Join(cache, "hekad")+"\n") &&
		!strings.Contains(log, "base_dir not set in [hekad]: using /var/cache/hekad\n") {
		t.Errorf("the defaulted base_dir is not named:\n%s", log)
	}
	if i, j := strings.Index(log, "loaded configuration"), strings.Index(log, override); i < 0 || j < i {
		t.Errorf("the override is not logged after the configuration was loaded:\n%s", log)
	}
}

// TestSameAddressRefusedAtStart: a normal start refuses two inputs on one
// address with the error -check prints (testdata/config-errors/
// same-address.err), before opening any socket.
func TestSameAddressRefusedAtStart(t *testing.T) {
	want, err := os.ReadFile("testdata/config-errors/same-address.err")
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runHekad(t, "-config", "testdata/config-errors/same-address.toml")
	if code != 1 || stderr != string(want) {
		t.Errorf("exit %d\nstdout: %s\nstderr:\n%s\nwant:\n%s", code, stdout, stderr, want)
	}
}
