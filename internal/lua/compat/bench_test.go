package compat

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// BenchmarkMatchNginx is string.match of an nginx "combined" line with 10
// captures, with gopher-lua's own string.match and with this package's.
func BenchmarkMatchNginx(b *testing.B) {
	const src = `
local line = '192.168.1.20 - alice [10/Oct/2023:13:55:36 +0000] "GET /index.html?x=1 HTTP/1.1" 200 2326 "http://example.com/start" "Mozilla/5.0 (X11; Linux x86_64)"'
local pat = '^(%S+) %S+ (%S+) %[([^%]]+)%] "(%S+) (%S+) (%S+)" (%d+) (%d+) "([^"]*)" "([^"]*)"$'
function run(n)
  local m = string.match
  for i = 1, n do m(line, pat) end
end`
	for _, bc := range []struct {
		name   string
		compat bool
	}{{"gopher-lua", false}, {"compat", true}} {
		b.Run(bc.name, func(b *testing.B) {
			L := lua.NewState()
			defer L.Close()
			if bc.compat {
				Open(L, Options{})
			}
			proto, err := Compile(strings.NewReader(src), "bench")
			if err != nil {
				b.Fatal(err)
			}
			L.Push(L.NewFunctionFromProto(proto))
			if err := L.PCall(0, 0, nil); err != nil {
				b.Fatal(err)
			}
			run := L.GetGlobal("run")
			b.ReportAllocs()
			for b.Loop() {
				if err := L.CallByParam(lua.P{Fn: run, Protect: true}, lua.LNumber(1000)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/match")
		})
	}
}
