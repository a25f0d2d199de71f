package sandbox

import (
	"context"
	"errors"
	"math/bits"
	"runtime/metrics"
	"sync/atomic"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// gopher-lua has no instruction hook, but once an LState has a context its VM
// calls ctx.Done() before every instruction. meter is that context: it counts
// the instructions of the current call, trips instruction_limit, and every
// tickEvery instructions checks Abort, the caller's context and
// memory_limit.

// tickEvery is how many instructions pass between two memory checks.
const tickEvery = 1024

var (
	errInstructionLimit = errors.New(msgInstructionLimit)
	errMemoryLimit      = errors.New(msgMemoryLimit)
	errAborted          = errors.New(msgAborted)
)

// meter is the counting context of one sandbox. It is used by the sandbox's
// goroutine only.
type meter struct {
	count  int64 // instructions in this call
	limit  int64 // 0: unlimited
	tick   int
	err    error // why it tripped; nil while running
	closed chan struct{}
	parent context.Context // the caller's context for this call
	mem    *memory         // nil without memory_limit
	abort  *atomic.Bool    // set by Sandbox.Abort from any goroutine
}

func newMeter(abort *atomic.Bool) *meter {
	c := make(chan struct{})
	close(c)
	return &meter{closed: c, parent: context.Background(), abort: abort}
}

// reset prepares the meter for a call with the given instruction limit.
func (m *meter) reset(ctx context.Context, limit int64) {
	m.count, m.limit, m.err, m.parent = 0, limit, nil, ctx
}

func (m *meter) trip(err error) <-chan struct{} {
	m.err = err
	return m.closed
}

// Done counts one instruction; it returns a closed channel, which makes the
// VM raise Err() as a Lua error, once a limit is broken.
func (m *meter) Done() <-chan struct{} {
	if m.err != nil {
		return m.closed
	}
	m.count++
	if m.limit > 0 && m.count > m.limit {
		return m.trip(errInstructionLimit)
	}
	m.tick++
	if m.tick < tickEvery {
		return nil
	}
	m.tick = 0
	if m.abort.Load() {
		return m.trip(errAborted)
	}
	if err := m.parent.Err(); err != nil {
		return m.trip(err)
	}
	if m.mem != nil && m.mem.instructions(tickEvery) {
		return m.trip(errMemoryLimit)
	}
	return nil
}

// Err is the reason the meter tripped.
func (m *meter) Err() error { return m.err }

// Deadline is the caller's.
func (m *meter) Deadline() (time.Time, bool) { return m.parent.Deadline() }

// Value is the caller's.
func (m *meter) Value(key any) any { return m.parent.Value(key) }

// Sizes charged by the memory estimate: those of C Lua 5.1 on a 64-bit
// machine, so that Heka's memory_limit values keep their meaning although
// gopher-lua's objects are 1.6 to 5 times larger.
const (
	sizeTable    = 56
	sizeEntry    = 40 // a hash node
	sizeSlot     = 16 // an array slot (keys 1 to #t)
	sizeString   = 25 // header and terminating NUL; equal strings count once, as C Lua interns them
	sizeClosure  = 40
	sizeUpvalue  = 8
	sizeUserdata = 40
	sizeThread   = 1024
	// growthPerInstruction bounds what one VM instruction can add to the
	// estimate (a table entry, a small table, a closure); Go functions that
	// build big strings report their size through compat.Options.Alloc.
	growthPerInstruction = 64
	// After a walk that visited n objects, the next one waits for at least
	// n*factor instructions (unless Go functions reported big strings):
	// factor starts at minWalkFactor, doubles after each walk that found the
	// data stable, up to maxWalkFactor (walks then cost a few percent of the
	// VM's time), and falls back to minWalkFactor when the data grew by more
	// than a quarter. A growing script is so walked about each time its data
	// doubles; one that keeps its size is rarely walked.
	minWalkFactor = 8
	maxWalkFactor = 512
)

// Sizer is implemented by userdata values (Go modules' objects) that know
// how many bytes they hold; the estimate charges them that.
type Sizer interface {
	MemSize() int
}

// memory estimates a sandbox's data: the values reachable from its globals,
// registry, modules and the locals of running functions, charged with C
// Lua's sizes. A walk is expensive, so it runs only when the data could have
// reached the limit: the estimate at the last walk plus what could have been
// added since (instructions × growthPerInstruction, the sizes Go functions
// reported, and no more than the Go heap allocated in the whole process).
type memory struct {
	L       *lua.LState
	roots   []lua.LValue
	limit   int64
	est     int64 // at the last walk
	max     int64
	objects int   // visited by the last walk
	factor  int64 // see minWalkFactor
	since   int64 // instructions since the last walk
	alloc   int64 // bytes Go functions reported since the last walk
	heap    uint64
	sample  []metrics.Sample
	walks   int
	seen    map[any]struct{}
	strings map[string]struct{}
	stack   []lua.LValue // the walk's work list
}

func newMemory(L *lua.LState, limit int64, roots ...lua.LValue) *memory {
	return &memory{L: L, limit: limit, roots: roots, factor: minWalkFactor,
		sample: []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}}
}

// heapAllocs is the bytes the whole process has allocated so far.
func (m *memory) heapAllocs() uint64 {
	metrics.Read(m.sample)
	if m.sample[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return m.sample[0].Value.Uint64()
}

// instructions records n instructions and reports whether the data is over
// the limit (walking only if it could be).
func (m *memory) instructions(n int64) bool {
	m.since += n
	return m.check(0)
}

// allocate is compat.Options.Alloc: a Go function is about to build n bytes.
func (m *memory) allocate(L *lua.LState, n int) {
	m.alloc += int64(n)
	if m.check(int64(n)) {
		L.RaiseError(msgMemoryLimit)
	}
}

// check reports whether the estimate plus next is over the limit, walking
// when the bound of what may have been added says it could be.
func (m *memory) check(next int64) bool {
	if m.est+m.alloc+m.since*growthPerInstruction+next <= m.limit {
		return false
	}
	if h := m.heapAllocs(); m.est+int64(h-m.heap)+next <= m.limit {
		return false
	}
	if m.since < int64(m.objects)*m.factor && m.est+m.alloc+next <= m.limit {
		return false // walked too recently: trust the last estimate
	}
	m.walk()
	return m.est+next > m.limit
}

// walk recomputes the estimate.
func (m *memory) walk() {
	m.heap = m.heapAllocs()
	if m.seen == nil {
		m.seen, m.strings = make(map[any]struct{}), make(map[string]struct{})
	}
	clear(m.seen)
	clear(m.strings)
	for _, r := range m.roots {
		m.add(r)
	}
	for level := 0; ; level++ {
		dbg, ok := m.L.GetStack(level)
		if !ok {
			break
		}
		for i := 1; ; i++ {
			name, v := m.L.GetLocal(dbg, i)
			if name == "" {
				break
			}
			m.add(v)
		}
	}
	n := m.drain()
	if n > m.est+m.est/4 {
		m.factor = minWalkFactor
	} else {
		m.factor = min(2*m.factor, maxWalkFactor)
	}
	m.est, m.objects, m.since, m.alloc = n, len(m.seen), 0, 0
	m.walks++
	if n > m.max {
		m.max = n
	}
}

// first reports whether x is met for the first time in this walk.
func (m *memory) first(x any) bool {
	if _, ok := m.seen[x]; ok {
		return false
	}
	m.seen[x] = struct{}{}
	return true
}

// pow2 is the smallest power of two at least n (0 for 0).
func pow2(n int64) int64 {
	if n <= 0 {
		return 0
	}
	return 1 << bits.Len64(uint64(n-1))
}

// add queues v for the walk.
func (m *memory) add(v lua.LValue) {
	switch v.(type) {
	case lua.LString, *lua.LTable, *lua.LFunction, *lua.LUserData, *lua.LState:
		m.stack = append(m.stack, v)
	}
}

// drain charges everything queued and what it reaches, without recursion
// (a deep chain of tables must not grow the Go stack).
func (m *memory) drain() int64 {
	var n int64
	for len(m.stack) > 0 {
		v := m.stack[len(m.stack)-1]
		m.stack = m.stack[:len(m.stack)-1]
		n += m.own(v)
	}
	return n
}

// own is the size of v itself; it queues what v refers to.
func (m *memory) own(v lua.LValue) int64 {
	switch x := v.(type) {
	case lua.LString:
		if _, ok := m.strings[string(x)]; ok {
			return 0
		}
		m.strings[string(x)] = struct{}{}
		return int64(len(x)) + sizeString
	case *lua.LTable:
		if !m.first(x) {
			return 0
		}
		var slots, nodes int64
		border := lua.LNumber(x.Len())
		x.ForEach(func(k, val lua.LValue) {
			if i, ok := k.(lua.LNumber); ok && i >= 1 && i <= border && i == lua.LNumber(int64(i)) {
				slots++
			} else {
				nodes++
				m.add(k)
			}
			m.add(val)
		})
		// C Lua sizes both parts in powers of two.
		n := sizeTable + pow2(slots)*sizeSlot + pow2(nodes)*sizeEntry
		if x.Metatable != nil {
			m.add(x.Metatable)
		}
		return n
	case *lua.LFunction:
		if !m.first(x) {
			return 0
		}
		if x.Env != nil {
			m.add(x.Env)
		}
		for _, uv := range x.Upvalues {
			m.add(uv.Value())
		}
		return sizeClosure + sizeUpvalue*int64(len(x.Upvalues))
	case *lua.LUserData:
		if !m.first(x) {
			return 0
		}
		n := int64(sizeUserdata)
		if s, ok := x.Value.(Sizer); ok {
			n += int64(s.MemSize())
		}
		if x.Metatable != nil {
			m.add(x.Metatable)
		}
		if x.Env != nil {
			m.add(x.Env)
		}
		return n
	case *lua.LState:
		if !m.first(x) {
			return 0
		}
		return sizeThread
	}
	return 0
}
