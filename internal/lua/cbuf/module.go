package cbuf

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"

	"github.com/hekad-go/hekad/internal/lua/compat"
	"github.com/hekad-go/hekad/internal/lua/modutil"
)

// module is the circular_buffer module's type.
var module = &modutil.Type[*Buffer]{Name: Name, Version: Version, TypeName: typeName,
	Methods: map[string]func(*lua.LState, *Buffer) int{
		"add": add, "set": set, "get": get, "get_configuration": getConfiguration,
		"set_header": setHeader, "get_header": getHeader, "get_range": getRange,
		"compute": compute, "mannwhitneyu": mannWhitneyU, "current_time": currentTime,
		"format": format, "fromstring": fromString,
	},
}

// The module functions refer to module (an initialization cycle if set
// above).
func init() { module.Funcs = map[string]lua.LGFunction{"new": newBuffer} }

// Open is the loader of the circular_buffer module; it also sets the global
// circular_buffer (restored preservation data calls circular_buffer.new).
func Open(L *lua.LState) int { return module.Open(L) }

// checkInt is luaL_checkint.
func checkInt(L *lua.LState, fname string, i int) int {
	return int(modutil.CheckNumber(L, fname, i))
}

func newBuffer(L *lua.LState) int {
	const f = "new"
	n := L.GetTop()
	if n < 3 || n > 4 {
		modutil.ArgError(L, f, 0, "incorrect number of arguments")
	}
	rows := checkInt(L, f, 1)
	if rows <= 1 {
		modutil.ArgError(L, f, 1, "rows must be > 1")
	}
	columns := checkInt(L, f, 2)
	if columns <= 0 {
		modutil.ArgError(L, f, 2, "columns must be > 0")
	}
	spr := checkInt(L, f, 3)
	if spr <= 0 {
		modutil.ArgError(L, f, 3, "seconds_per_row is out of range")
	}
	modutil.CheckAlloc(L, float64(rows)*float64(columns)*8)
	if int64(rows)*int64(columns) > 1<<28 {
		modutil.Raise(L, compat.MemoryError)
	}
	delta := n == 4 && lua.LVAsBool(L.Get(4))
	module.Push(L, New(rows, columns, int64(spr), delta))
	return 1
}

func minArgs(L *lua.LState, fname string, n int) {
	if L.GetTop() < n {
		modutil.ArgError(L, fname, 0, "incorrect number of arguments")
	}
}

func checkColumn(L *lua.LState, b *Buffer, fname string, i int) int {
	c := checkInt(L, fname, i)
	if c < 1 || c > b.columns {
		modutil.ArgError(L, fname, i, "column out of range")
	}
	return c - 1
}

func pushCell(L *lua.LState, v float64, ok bool) int {
	if ok {
		L.Push(lua.LNumber(v))
	} else {
		L.Push(lua.LNil)
	}
	return 1
}

func add(L *lua.LState, b *Buffer) int { return update(L, b, "add", (*Buffer).Add) }

func set(L *lua.LState, b *Buffer) int { return update(L, b, "set", (*Buffer).Set) }

// update is add and set: (ns, column, value) -> the cell's new value, or
// nil when ns is outside the buffer.
func update(L *lua.LState, b *Buffer, fname string, op func(*Buffer, float64, int, float64) (float64, bool)) int {
	minArgs(L, fname, 4)
	ns := modutil.CheckNumber(L, fname, 2)
	row := b.row(ns, true) // Heka advances the buffer before checking the column
	column := checkColumn(L, b, fname, 3)
	value := modutil.CheckNumber(L, fname, 4)
	if row < 0 {
		return pushCell(L, 0, false)
	}
	v, ok := op(b, ns, column, value)
	return pushCell(L, v, ok)
}

func get(L *lua.LState, b *Buffer) int {
	minArgs(L, "get", 3)
	ns := modutil.CheckNumber(L, "get", 2)
	column := checkColumn(L, b, "get", 3)
	v, ok := b.Get(ns, column)
	return pushCell(L, v, ok)
}

func getConfiguration(L *lua.LState, b *Buffer) int {
	L.Push(lua.LNumber(b.rows))
	L.Push(lua.LNumber(b.columns))
	L.Push(lua.LNumber(b.secondsPerRow))
	return 3
}

func setHeader(L *lua.LState, b *Buffer) int {
	const f = "set_header"
	minArgs(L, f, 3)
	column := checkColumn(L, b, f, 2)
	name, ok := L.Get(3).(lua.LString)
	if !ok {
		if n, isNum := L.Get(3).(lua.LNumber); isNum {
			name = lua.LString(n.String())
		} else {
			modutil.ArgError(L, f, 3, "string expected, got "+modutil.TypeName(L.Get(3)))
		}
	}
	unit := "count"
	switch v := L.Get(4).(type) {
	case *lua.LNilType:
	case lua.LString:
		unit = string(v)
	default:
		modutil.ArgError(L, f, 4, "string expected, got "+modutil.TypeName(v))
	}
	aggregation := aggSum
	switch v := L.Get(5).(type) {
	case *lua.LNilType:
	case lua.LString:
		aggregation = -1
		for i, a := range aggregations {
			if a == string(v) {
				aggregation = i
			}
		}
		if aggregation < 0 {
			modutil.ArgError(L, f, 5, fmt.Sprintf("invalid option '%s'", string(v)))
		}
	default:
		modutil.ArgError(L, f, 5, "string expected, got "+modutil.TypeName(v))
	}
	b.SetHeader(column, string(name), unit, aggregation)
	L.Push(lua.LNumber(column + 1))
	return 1
}

func getHeader(L *lua.LState, b *Buffer) int {
	minArgs(L, "get_header", 2)
	h := b.headers[checkColumn(L, b, "get_header", 2)]
	L.Push(lua.LString(h.name))
	L.Push(lua.LString(h.unit))
	L.Push(lua.LString(aggregations[h.aggregation]))
	return 3
}

// rangeArgs reads the optional start and end times at i and i+1 (the whole
// buffer by default) and returns their rows (-1 when outside the buffer).
func rangeArgs(L *lua.LState, b *Buffer, fname string, i int) (start, end int) {
	startNs := float64(b.startTime()) * 1e9
	endNs := float64(b.currentTime) * 1e9
	if L.Get(i) != lua.LNil {
		startNs = modutil.CheckNumber(L, fname, i)
	}
	if L.Get(i+1) != lua.LNil {
		endNs = modutil.CheckNumber(L, fname, i+1)
	}
	if endNs < startNs {
		modutil.ArgError(L, fname, i+1, "end must be >= start")
	}
	return b.row(startNs, false), b.row(endNs, false)
}

func getRange(L *lua.LState, b *Buffer) int {
	minArgs(L, "get_range", 2)
	column := checkColumn(L, b, "get_range", 2)
	start, end := rangeArgs(L, b, "get_range", 3)
	if start < 0 || end < 0 {
		L.Push(lua.LNil)
		return 1
	}
	t := L.NewTable()
	for i, v := range b.column(column, start, end, nil) {
		t.RawSetInt(i+1, lua.LNumber(v))
	}
	L.Push(t)
	return 1
}

var functions = []string{"sum", "avg", "sd", "min", "max", "variance"}

func compute(L *lua.LState, b *Buffer) int {
	const f = "compute"
	minArgs(L, f, 3)
	name, ok := L.Get(2).(lua.LString)
	known := false
	for _, fn := range functions {
		known = known || fn == string(name)
	}
	if !ok || !known {
		if !ok {
			modutil.ArgError(L, f, 2, "string expected, got "+modutil.TypeName(L.Get(2)))
		}
		modutil.ArgError(L, f, 2, fmt.Sprintf("invalid option '%s'", string(name)))
	}
	column := checkColumn(L, b, f, 3)
	start, end := rangeArgs(L, b, f, 4)
	if start < 0 || end < 0 {
		L.Push(lua.LNil)
		L.Push(lua.LNumber(0))
		return 2
	}
	v, n := b.Compute(string(name), column, start, end)
	L.Push(lua.LNumber(v))
	L.Push(lua.LNumber(n))
	return 2
}

func mannWhitneyU(L *lua.LState, b *Buffer) int {
	const f = "mannwhitneyu"
	minArgs(L, f, 6)
	n := L.GetTop()
	if n > 7 {
		modutil.ArgError(L, f, 0, "too many arguments")
	}
	column := checkColumn(L, b, f, 2)
	s1, e1 := modutil.CheckNumber(L, f, 3), modutil.CheckNumber(L, f, 4)
	if e1 < s1 {
		modutil.ArgError(L, f, 4, "end_1 must be >= start_1")
	}
	s2, e2 := modutil.CheckNumber(L, f, 5), modutil.CheckNumber(L, f, 6)
	if e2 < s2 {
		modutil.ArgError(L, f, 6, "end_2 must be >= start_2")
	}
	if !(e1 < s2 || e2 < s1) {
		modutil.ArgError(L, f, 4, "ranges must not overlap")
	}
	continuity := true
	if n == 7 {
		v, ok := L.Get(7).(lua.LBool)
		if !ok {
			modutil.ArgError(L, f, 7, "use_continuity must be a boolean")
		}
		continuity = bool(v)
	}
	rs1, re1 := b.row(s1, false), b.row(e1, false)
	if rs1 < 0 || re1 < 0 {
		return 0
	}
	rs2, re2 := b.row(s2, false), b.row(e2, false)
	if rs2 < 0 || re2 < 0 {
		return 0
	}
	spr := float64(b.secondsPerRow)
	n1 := int((e1-s1)/1e9/spr) + 1
	n2 := int((e2-s2)/1e9/spr) + 1
	if n1+n2 > 1<<24 || n1 <= 0 || n2 <= 0 {
		return 0
	}
	u1, p, ok := b.MannWhitneyU(column, rs1, re1, rs2, re2, n1, n2, continuity)
	if !ok {
		return 0
	}
	L.Push(lua.LNumber(u1))
	L.Push(lua.LNumber(p))
	return 2
}

func currentTime(L *lua.LState, b *Buffer) int {
	L.Push(lua.LNumber(float64(b.currentTime) * 1e9))
	return 1
}

func format(L *lua.LState, b *Buffer) int {
	const f = "format"
	if L.GetTop() != 2 {
		modutil.ArgError(L, f, 0, "incorrect number of arguments")
	}
	switch v := L.Get(2); v {
	case lua.LString("cbuf"):
		b.cbufd = false
	case lua.LString("cbufd"):
		b.cbufd = true
	default:
		if s, ok := v.(lua.LString); ok {
			modutil.ArgError(L, f, 2, fmt.Sprintf("invalid option '%s'", string(s)))
		}
		modutil.ArgError(L, f, 2, "string expected, got "+modutil.TypeName(v))
	}
	L.Pop(1)
	return 1
}

func fromString(L *lua.LState, b *Buffer) int {
	minArgs(L, "fromstring", 2)
	s, ok := L.Get(2).(lua.LString)
	if !ok {
		modutil.ArgError(L, "fromstring", 2, "string expected, got "+modutil.TypeName(L.Get(2)))
	}
	if err := b.FromString(string(s)); err != nil {
		modutil.Raise(L, "%s", err.Error())
	}
	return 0
}
