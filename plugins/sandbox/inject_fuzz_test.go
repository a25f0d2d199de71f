package sandbox

import (
	"context"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/hekad-go/hekad/message"
)

// FuzzTableToMessage builds a Lua table from the fuzzed expression and
// converts it as inject_message does: the conversion must not panic, and a
// message it makes must encode and decode back to itself.
func FuzzTableToMessage(f *testing.F) {
	for _, seed := range []string{
		`{Type = "t", Payload = "p", Severity = 3, Pid = 12, Timestamp = 5, Uuid = "0123456789abcdef"}`,
		`{Fields = {a = 1, b = "x", c = true, d = {1, 2}, e = {value = 3, value_type = 2, representation = "ms"}}}`,
		`{Fields = {{name = "x", value = "v"}, {name = "x", value = {true, false}}}}`,
		`{Fields = {a = {1, "x"}}}`,
		`{Fields = {b = {value = "raw", value_type = 1}}, Hostname = 7}`,
		`{Fields = 5}`,
		`{Fields = {[1] = {name = 3}}}`,
		`{Type = {}, Logger = 1.5, EnvVersion = "v"}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		L := lua.NewState(lua.Options{SkipOpenLibs: true})
		defer L.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		L.SetContext(ctx)
		fn, err := L.LoadString("return " + expr)
		if err != nil {
			return
		}
		L.Push(fn)
		if err := L.PCall(0, 1, nil); err != nil {
			return
		}
		tbl, ok := L.Get(-1).(*lua.LTable)
		if !ok {
			return
		}
		var m message.Message
		if err := tableToMessage(tbl, &m); err != nil {
			return
		}
		var back message.Message
		if err := back.Unmarshal(m.Marshal()); err != nil {
			t.Fatalf("the message of %s does not decode: %v", expr, err)
		}
		if !back.Equal(&m) {
			t.Fatalf("the message of %s changed through its encoding", expr)
		}
	})
}
