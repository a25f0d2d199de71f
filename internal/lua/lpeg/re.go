package lpeg

import lua "github.com/yuin/gopher-lua"

// OpenRe is the loader of the re module.
func OpenRe(L *lua.LState) int { return 0 }
