package sandbox

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hekad-go/hekad/internal/lua/oracle"
)

// TestEstimateAgainstCLua builds the same data in C Lua 5.1 (its own count
// of the bytes the data took, collectgarbage("count")) and in a sandbox (the
// memory estimate), and wants them within 30%: so that a memory_limit means
// about what it meant in Heka.
func TestEstimateAgainstCLua(t *testing.T) {
	shapes := []struct{ name, build string }{
		{"array of numbers", "data = {} for i = 1, 100000 do data[i] = i * 1.5 end"},
		{"hash of string keys", "data = {} for i = 1, 50000 do data['key' .. i] = i end"},
		{"small tables", "data = {} for i = 1, 20000 do data[i] = {a = i, b = 'x'} end"},
		{"long strings", "data = {} for i = 1, 10000 do data[i] = string.rep('y', 90) .. i end"},
		{"repeated strings", "data = {} for i = 1, 50000 do data[i] = 'status' .. (i % 5) end"},
	}
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			res := oracle.MustRun(t, "collectgarbage() collectgarbage() local before = collectgarbage('count')\n"+
				sh.build+"\ncollectgarbage() collectgarbage() print(math.floor((collectgarbage('count') - before) * 1024))")
			if !res.OK {
				t.Fatalf("C Lua: %s", res.Stderr)
			}
			want, err := strconv.ParseFloat(strings.TrimSpace(res.Stdout), 64)
			if err != nil {
				t.Fatal(err)
			}
			got := float64(estimate(t, sh.build) - estimate(t, "data = {}"))
			t.Logf("C Lua %.0f B, estimate %.0f B (%.2fx)", want, got, got/want)
			if got < want*0.7 || got > want*1.3 {
				t.Errorf("estimate %.0f B, C Lua %.0f B: not within 30%%", got, want)
			}
		})
	}
}

// estimate is the memory estimate after running src as a script.
func estimate(t *testing.T, src string) int64 {
	path := filepath.Join(t.TempDir(), "data.lua")
	writeFile(t, path, src)
	sb, err := New(Config{Name: "estimate", Script: path, MemoryLimit: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Start(t.Context()); err != nil {
		t.Fatal(fmt.Errorf("%s: %w", src, err))
	}
	defer sb.Close()
	return sb.Stats().Memory
}
