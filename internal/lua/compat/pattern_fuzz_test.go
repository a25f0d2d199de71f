package compat

import (
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// FuzzPattern runs find, match, gmatch and gsub with fuzzed patterns and
// subjects: a malformed pattern must be a Lua error, never a Go runtime
// error (an index out of range, a nil dereference) recovered by PCall.
func FuzzPattern(f *testing.F) {
	for _, seed := range [][2]string{
		{"%f[%a]%a+", "THE (quick) fox"}, {"(%w+)=(%w+)", "a=1, b=2"}, {"%b()", "f(a(b)c)d"},
		{"^(.-)%s*$", "  x  "}, {"(a)%1", "aa"}, {"[%a-z]", "-"}, {"()", "abc"}, {"[]", "]"},
		{"%", "x"}, {"(()", "x"}, {"%g", "x"}, {"[^]", "x"}, {"(a)%2", "aa"}, {"%f", "x"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pat, subject string) {
		if len(pat) > 32 || len(subject) > 64 {
			return
		}
		L := lua.NewState(lua.Options{SkipOpenLibs: true})
		defer L.Close()
		openLib(L, lua.BaseLibName, lua.OpenBase)
		openLib(L, lua.StringLibName, lua.OpenString)
		Open(L, Options{MaxString: 1 << 20})
		L.SetGlobal("pat", lua.LString(pat))
		L.SetGlobal("s", lua.LString(subject))
		err := L.DoString(`
			local function chk(ok, e)
				if not ok and string.find(tostring(e), "runtime error", 1, true) then bad = tostring(e) end
			end
			chk(pcall(string.find, s, pat))
			chk(pcall(string.find, s, pat, 3))
			chk(pcall(string.match, s, pat))
			chk(pcall(string.gsub, s, pat, "<%0>"))
			chk(pcall(string.gsub, s, pat, function(...) return select("#", ...) end))
			chk(pcall(function() for a, b in string.gmatch(s, pat) do end end))`)
		if err != nil {
			t.Fatalf("pattern %q on %q: %v", pat, subject, err)
		}
		if bad, ok := L.GetGlobal("bad").(lua.LString); ok {
			t.Fatalf("pattern %q on %q: %s", pat, subject, bad)
		}
	})
}

func openLib(L *lua.LState, name string, open lua.LGFunction) {
	L.Push(L.NewFunction(open))
	L.Push(lua.LString(name))
	L.Call(1, 0)
}
