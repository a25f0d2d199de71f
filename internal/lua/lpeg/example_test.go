package lpeg_test

import (
	"fmt"

	"github.com/hekad-go/hekad/internal/lua/lpeg"
	lua "github.com/yuin/gopher-lua"
)

// A Heka-style grammar: named groups in a table, numbers through
// tonumber.
func ExampleOpen() {
	L := lua.NewState()
	defer L.Close()
	L.PreloadModule("lpeg", lpeg.Open)
	err := L.DoString(`
		local l = require "lpeg"
		l.locale(l)
		local kv = l.Ct(l.Cg(l.C(l.alpha^1), "key") * "=" * l.Cg(l.digit^1 / tonumber, "value"))
		local t = kv:match("retries=3")
		result = t.key .. " " .. t.value * 2
	`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(L.GetGlobal("result"))
	// Output: retries 6
}

// The re module's syntax over the same machine.
func ExampleOpenRe() {
	L := lua.NewState()
	defer L.Close()
	L.PreloadModule("lpeg", lpeg.Open)
	L.PreloadModule("re", lpeg.OpenRe)
	err := L.DoString(`
		local re = require "re"
		result = re.gsub("hello world", "{%a+}", "<%1>")
	`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(L.GetGlobal("result"))
	// Output: <hello> <world>
}
