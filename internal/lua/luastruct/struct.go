// Package luastruct is the struct module of hekad's Lua sandboxes: Roberto
// Ierusalimschy's struct library (1.4, as built into Heka's lua_sandbox),
// written in Go from its specification: struct.pack(fmt, ...),
// struct.unpack(fmt, s [, pos]) and struct.size(fmt).
//
// Format: '>' big endian, '<' little endian (the default is the machine's:
// little endian here), '![n]' maximum alignment n (a power of 2, default
// 8), 'x' one byte of padding, 'b'/'B' signed/unsigned byte, 'h'/'H' short
// (2), 'l'/'L' long (8), 'T' size_t (8), 'i[n]'/'I[n]' integer of n bytes
// (default 4, at most 32), 'f' float, 'd' double, 'c[n]' n chars (pack: n
// 0 is the whole string; unpack: n 0 takes the length from the previous
// value), 's' zero-terminated string, ' ' ignored. Elements are aligned to
// min(their size, the maximum alignment) ('c' and 's' are not aligned).
// unpack returns the values and then the position after the last byte read.
package luastruct

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/hekad-go/hekad/internal/lua/compat"
	"github.com/hekad-go/hekad/internal/lua/modutil"
)

// Name is the module's name (and global).
const Name = "struct"

const (
	maxIntSize = 32
	maxAlign   = 8
)

// Open is the loader of the struct module; it also sets the global struct.
func Open(L *lua.LState) int {
	mod := L.NewTable()
	mod.RawSetString("pack", L.NewFunction(pack))
	mod.RawSetString("unpack", L.NewFunction(unpack))
	mod.RawSetString("size", L.NewFunction(size))
	L.SetGlobal(Name, mod)
	L.Push(mod)
	return 1
}

type header struct {
	little bool
	align  int
}

// format walks a format string.
type format struct {
	L     *lua.LState
	fname string
	s     string
	i     int
	h     header
}

func newFormat(L *lua.LState, fname string) *format {
	s := modutil.CheckString(L, fname, 1)
	return &format{L: L, fname: fname, s: s, h: header{little: true, align: 1}}
}

func (f *format) more() bool { return f.i < len(f.s) && f.s[f.i] != 0 }

func (f *format) getnum(def int) int {
	if f.i >= len(f.s) || f.s[f.i] < '0' || f.s[f.i] > '9' {
		return def
	}
	a := 0
	for f.i < len(f.s) && '0' <= f.s[f.i] && f.s[f.i] <= '9' {
		a = a*10 + int(f.s[f.i]-'0')
		if a > math.MaxInt32 {
			a = math.MaxInt32
		}
		f.i++
	}
	return a
}

// next reads an option and its size.
func (f *format) next() (byte, int) {
	opt := f.s[f.i]
	f.i++
	switch opt {
	case 'B', 'b':
		return opt, 1
	case 'H', 'h':
		return opt, 2
	case 'L', 'l', 'T', 'd':
		return opt, 8
	case 'f':
		return opt, 4
	case 'x':
		return opt, 1
	case 'c':
		return opt, f.getnum(1)
	case 'i', 'I':
		n := f.getnum(4)
		if n > maxIntSize {
			modutil.Raise(f.L, "integral size %d is larger than limit of %d", n, maxIntSize)
		}
		return opt, n
	}
	return opt, 0
}

// toAlign is the padding before an element of size at position pos.
func (f *format) toAlign(pos int, opt byte, size int) int {
	if size == 0 || opt == 'c' || opt == 's' {
		return 0
	}
	size = min(size, f.h.align)
	return (size - (pos & (size - 1))) & (size - 1)
}

// control applies a control option, or raises the error of an unknown one.
func (f *format) control(opt byte) {
	switch opt {
	case ' ':
	case '>':
		f.h.little = false
	case '<':
		f.h.little = true
	case '!':
		a := f.getnum(maxAlign)
		if a <= 0 || a&(a-1) != 0 {
			modutil.Raise(f.L, "alignment %d is not a power of 2", a)
		}
		f.h.align = a
	default:
		modutil.ArgError(f.L, f.fname, 1, fmt.Sprintf("invalid format option '%c'", opt))
	}
}

// toUint64 is C's conversion of a lua_Number to the library's unsigned
// integer (through a signed one for negative numbers).
func toUint64(n float64) uint64 {
	switch {
	case math.IsNaN(n):
		return 1 << 63
	case n < 0:
		if n < math.MinInt64 {
			return 1 << 63
		}
		return uint64(int64(n))
	case n >= math.MaxUint64:
		return 0
	}
	return uint64(n)
}

func putInteger(b []byte, v uint64, little bool, size int) []byte {
	buf := make([]byte, size)
	for i := 0; i < size; i++ {
		j := size - 1 - i
		if little {
			j = i
		}
		buf[j] = byte(v)
		v >>= 8
	}
	return append(b, buf...)
}

func pack(L *lua.LState) int {
	const fname = "pack"
	f := newFormat(L, fname)
	var out []byte
	arg := 2
	for f.more() {
		opt, size := f.next()
		pad := f.toAlign(len(out), opt, size)
		out = append(out, make([]byte, pad)...)
		switch opt {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			out = putInteger(out, toUint64(modutil.CheckNumber(L, fname, arg)), f.h.little, size)
			arg++
		case 'x':
			out = append(out, 0)
		case 'f':
			bits := math.Float32bits(float32(modutil.CheckNumber(L, fname, arg)))
			arg++
			out = putInteger(out, uint64(bits), f.h.little, 4)
		case 'd':
			bits := math.Float64bits(modutil.CheckNumber(L, fname, arg))
			arg++
			out = putInteger(out, bits, f.h.little, 8)
		case 'c', 's':
			s := modutil.CheckString(L, fname, arg)
			arg++
			if size == 0 {
				size = len(s)
			}
			if len(s) < size {
				modutil.ArgError(L, fname, arg, "string too short")
			}
			out = append(out, s[:size]...)
			if opt == 's' {
				out = append(out, 0)
			}
		default:
			f.control(opt)
		}
		if len(out) > 1<<30 {
			modutil.Raise(L, compat.MemoryError)
		}
		modutil.CheckAlloc(L, float64(len(out)))
	}
	L.Push(lua.LString(out))
	return 1
}

func getInteger(b []byte, little, signed bool, size int) float64 {
	var l uint64
	for i := 0; i < size; i++ {
		j := i
		if little {
			j = size - 1 - i
		}
		l = l<<8 | uint64(b[j])
	}
	if !signed {
		return float64(l)
	}
	if size*8-1 < 64 {
		mask := ^uint64(0) << (size*8 - 1)
		if l&mask != 0 {
			l |= mask
		}
	}
	return float64(int64(l))
}

func unpack(L *lua.LState) int {
	const fname = "unpack"
	f := newFormat(L, fname)
	data := modutil.CheckString(L, fname, 2)
	start := 1
	if v := L.Get(3); v != lua.LNil {
		start = int(modutil.CheckNumber(L, fname, 3))
	}
	pos := start - 1
	L.SetTop(2)
	for f.more() {
		opt, size := f.next()
		pos += f.toAlign(pos, opt, size)
		if pos < 0 || pos+size > len(data) {
			modutil.ArgError(L, fname, 2, "data string too short")
		}
		var v lua.LValue
		switch opt {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			signed := opt >= 'a'
			v = lua.LNumber(getInteger([]byte(data[pos:pos+size]), f.h.little, signed, size))
		case 'x':
		case 'f':
			bits := uint32(getUint(data[pos:pos+4], f.h.little))
			v = lua.LNumber(math.Float32frombits(bits))
		case 'd':
			v = lua.LNumber(math.Float64frombits(getUint(data[pos:pos+8], f.h.little)))
		case 'c':
			if size == 0 {
				// The length is the value on top of the stack (as in C,
				// whatever it is), which is then dropped.
				n, ok := modutil.ToNumber(L.Get(-1))
				if !ok {
					modutil.Raise(L, "format `c0' needs a previous size")
				}
				size = int(n)
				L.Pop(1)
				if size < 0 || pos+size > len(data) {
					modutil.ArgError(L, fname, 2, "data string too short")
				}
			}
			v = lua.LString(data[pos : pos+size])
		case 's':
			e := strings.IndexByte(data[pos:], 0)
			if e < 0 {
				modutil.Raise(L, "unfinished string in data")
			}
			size = e + 1
			v = lua.LString(data[pos : pos+e])
		default:
			f.control(opt)
		}
		if v != nil {
			L.Push(v)
		}
		pos += size
	}
	L.Push(lua.LNumber(pos + 1))
	return L.GetTop() - 2
}

func getUint(s string, little bool) uint64 {
	b := []byte(s)
	if little {
		if len(b) == 4 {
			return uint64(binary.LittleEndian.Uint32(b))
		}
		return binary.LittleEndian.Uint64(b)
	}
	if len(b) == 4 {
		return uint64(binary.BigEndian.Uint32(b))
	}
	return binary.BigEndian.Uint64(b)
}

func size(L *lua.LState) int {
	const fname = "size"
	f := newFormat(L, fname)
	pos := 0
	for f.more() {
		opt, size := f.next()
		pos += f.toAlign(pos, opt, size)
		if opt == 's' {
			modutil.ArgError(L, fname, 1, "option 's' has no fixed size")
		} else if opt == 'c' && size == 0 {
			modutil.ArgError(L, fname, 1, "option 'c0' has no fixed size")
		}
		if !(opt >= '0' && opt <= '9' || opt|0x20 >= 'a' && opt|0x20 <= 'z') {
			f.control(opt)
		}
		pos += size
	}
	L.Push(lua.LNumber(pos))
	return 1
}
