package sandbox

import (
	"bytes"
	"fmt"
	"os"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/hekad-go/hekad/internal/lua/compat"
)

// Cache holds compiled scripts and modules so that sandboxes running the same
// file share one read-only *lua.FunctionProto. A file is compiled again when
// its size or modification time changes. It is safe for concurrent use.
type Cache struct {
	mu     sync.Mutex
	protos map[string]cached
}

// cached is one compiled file and what identified its version.
type cached struct {
	proto *lua.FunctionProto
	size  int64
	mtime time.Time
}

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{protos: make(map[string]cached)}
}

// compileFile compiles the Lua file at path through c (which may be nil).
func (c *Cache) compileFile(path string) (*lua.FunctionProto, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if c != nil {
		c.mu.Lock()
		e, ok := c.protos[path]
		c.mu.Unlock()
		if ok && e.size == fi.Size() && e.mtime.Equal(fi.ModTime()) {
			return e.proto, nil
		}
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	proto, err := compat.Compile(bytes.NewReader(src), path)
	if err != nil {
		return nil, fmt.Errorf("%w", err)
	}
	if c != nil {
		c.mu.Lock()
		c.protos[path] = cached{proto: proto, size: fi.Size(), mtime: fi.ModTime()}
		c.mu.Unlock()
	}
	return proto, nil
}
