package sandbox

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCache: a file compiled twice through one cache is compiled once;
// once its contents change (size or modification time), it is compiled
// again; without a cache every call compiles.
func TestCache(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.lua")
	if err := os.WriteFile(path, []byte("x = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := NewCache()
	p1, err := c.compileFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if p2, _ := c.compileFile(path); p2 != p1 {
		t.Error("compiled twice")
	}
	if err := os.WriteFile(path, []byte("x = 12\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if p3, _ := c.compileFile(path); p3 == p1 {
		t.Error("changed file not compiled again")
	}
	var none *Cache
	a, _ := none.compileFile(path)
	b, _ := none.compileFile(path)
	if a == b {
		t.Error("no cache, yet one compilation")
	}
}
