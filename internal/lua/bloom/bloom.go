// Package bloom is the bloom_filter module of hekad's Lua sandboxes, as
// Heka's lua_bloom_filter specifies it: bloom_filter.new(items, probability)
// sizes the filter (bits = ceil(items*ln(p)/ln(1/2^ln 2)), hashes =
// round(ln 2*bits/items)), and an element (a string's bytes, or a number's
// 8 bytes as a little-endian double) sets bit XXH32(element, i) % bits for
// each hash i, so that the same elements set the same bits as in Heka.
package bloom

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"

	"github.com/hekad-go/hekad/internal/lua/compat"
	"github.com/hekad-go/hekad/internal/lua/modutil"
)

// Name is the module's name (and global).
const Name = "bloom_filter"

// Version is what bloom_filter.version() returns.
const Version = "1.0.0"

const typeName = "mozsvc.bloom_filter"

// Filter is one bloom filter.
type Filter struct {
	items       int
	probability float64
	bits        uint32
	hashes      int
	count       int
	data        []byte
}

// New sizes a filter for items elements and a false positive probability.
func New(items int, probability float64) *Filter {
	nbits := sizeBits(items, probability)
	f := &Filter{items: items, probability: probability, bits: uint32(nbits)}
	f.data = make([]byte, int(math.Ceil(float64(f.bits)/8)))
	f.hashes = int(math.Round(math.Log(2) * float64(f.bits) / float64(items))) // C's round: half away from zero
	return f
}

// sizeBits is the number of bits of a filter for items and probability.
func sizeBits(items int, probability float64) float64 {
	return math.Ceil(float64(items) * math.Log(probability) / math.Log(1/math.Pow(2, math.Log(2))))
}

// key is an element's bytes as Heka hashes them.
func key(v lua.LValue) ([]byte, bool) {
	switch x := v.(type) {
	case lua.LString:
		return []byte(x), true
	case lua.LNumber:
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(float64(x)))
		return b[:], true
	}
	return nil, false
}

// Add sets the element's bits; it reports whether any was new (and then
// counts the element).
func (f *Filter) Add(k []byte) bool {
	added := false
	for i := 0; i < f.hashes; i++ {
		bit := XXH32(k, uint32(i)) % f.bits
		if f.data[bit/8]&(1<<(bit%8)) == 0 {
			f.data[bit/8] |= 1 << (bit % 8)
			added = true
		}
	}
	if added {
		f.count++
	}
	return added
}

// Query reports whether all the element's bits are set.
func (f *Filter) Query(k []byte) bool {
	for i := 0; i < f.hashes; i++ {
		bit := XXH32(k, uint32(i)) % f.bits
		if f.data[bit/8]&(1<<(bit%8)) == 0 {
			return false
		}
	}
	return true
}

// MemSize is what the filter holds, for the sandbox's memory estimate.
func (f *Filter) MemSize() int { return 48 + len(f.data) }

// PreserveTo writes the Lua statements that rebuild the filter at path, as
// Heka's sandbox wrote them.
func (f *Filter) PreserveTo(w io.Writer, path string) error {
	_, err := fmt.Fprintf(w, "if %s == nil then %s = bloom_filter.new(%d, %s) end\n%s:fromstring(%d, %s)\n",
		path, path, f.items, strconv.FormatFloat(f.probability, 'g', 6, 64), path, f.count, compat.Quote(string(f.data)))
	return err
}

// module is the bloom_filter module's type.
var module = &modutil.Type[*Filter]{Name: Name, Version: Version, TypeName: typeName,
	Methods: map[string]func(*lua.LState, *Filter) int{
		"add": add, "query": query, "clear": clearFilter, "count": count, "fromstring": fromString,
	},
}

// The module functions refer to module (an initialization cycle if set
// above).
func init() { module.Funcs = map[string]lua.LGFunction{"new": newFilter} }

// Open is the loader of the bloom_filter module; it also sets the global
// bloom_filter.
func Open(L *lua.LState) int { return module.Open(L) }

func newFilter(L *lua.LState) int {
	if L.GetTop() != 2 {
		modutil.ArgError(L, "new", 0, "incorrect number of arguments")
	}
	items := int(modutil.CheckNumber(L, "new", 1))
	if items <= 1 {
		modutil.ArgError(L, "new", 1, "items must be > 1")
	}
	p := modutil.CheckNumber(L, "new", 2)
	if !(p > 0 && p < 1) {
		modutil.ArgError(L, "new", 2, "probability must be between 0 and 1")
	}
	bytes := math.Ceil(sizeBits(items, p) / 8)
	modutil.CheckAlloc(L, bytes)
	if bytes > 1<<30 {
		modutil.Raise(L, compat.MemoryError)
	}
	f := New(items, p)
	module.Push(L, f)
	return 1
}

func args(L *lua.LState, fname string, n int) {
	if L.GetTop() != n {
		modutil.ArgError(L, fname, 0, "incorrect number of arguments")
	}
}

func element(L *lua.LState, fname string) []byte {
	k, ok := key(L.Get(2))
	if !ok {
		modutil.ArgError(L, fname, 2, "must be a string or number")
	}
	return k
}

func add(L *lua.LState, f *Filter) int {
	args(L, "add", 2)
	L.Push(lua.LBool(f.Add(element(L, "add"))))
	return 1
}

func query(L *lua.LState, f *Filter) int {
	args(L, "query", 2)
	L.Push(lua.LBool(f.Query(element(L, "query"))))
	return 1
}

func clearFilter(L *lua.LState, f *Filter) int {
	args(L, "clear", 1)
	clear(f.data)
	f.count = 0
	return 0
}

func count(L *lua.LState, f *Filter) int {
	args(L, "count", 1)
	L.Push(lua.LNumber(f.count))
	return 1
}

func fromString(L *lua.LState, f *Filter) int {
	var s string
	if L.GetTop() == 2 {
		s = modutil.CheckString(L, "fromstring", 2)
	} else {
		args(L, "fromstring", 3)
		f.count = int(modutil.CheckNumber(L, "fromstring", 2))
		s = modutil.CheckString(L, "fromstring", 3)
	}
	if len(s) != len(f.data) {
		modutil.Raise(L, "fromstring() bytes found: %d, expected %d", len(s), len(f.data))
	}
	copy(f.data, s)
	return 0
}
