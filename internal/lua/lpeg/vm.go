package lpeg

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// frame is a backtrack entry (s >= 0: where to resume on failure) or a
// call entry (s < 0: where to return).
type frame struct {
	s    int   // subject position to restore, or -1 for a call
	pc   int32 // instruction to go to
	caps int32 // number of capture entries to keep
}

// capture is one entry of the flat capture list built during a match.
// An open capture has siz 0; a full capture covers siz-1 bytes from s; a
// close entry (kind cClose) ends the latest open capture at s.
type capture struct {
	s    int
	idx  int32 // value index, capture number, or -1
	siz  int32
	kind capKind
}

// initBack is the number of backtrack entries always allowed, as LPeg's
// INITBACK: setmaxstack can raise the limit but not lower it below this.
const initBack = 400

// machine runs programs. It keeps its stacks between matches so that a
// match allocates nothing but its captures' values.
type machine struct {
	stack    []frame
	caps     []capture
	rt       []lua.LValue // values returned by match-time captures
	maxStack int          // setmaxstack
	maxFails int          // SetMatchLimit: failures a match may backtrack from (0: no limit)
	busy     bool         // a match is running (a nested one needs its own machine)
	ev       evaluator    // the state of the match's captures
}

// run matches p against s from byte i. It returns the end of the match,
// or -1 when p does not match. After a match, m.caps holds the captures,
// ended by a close entry.
func (m *machine) run(p *program, s string, i int) (int, error) {
	code := p.code
	sets := p.sets
	limit := max(m.maxStack, initBack) - 1
	stack := m.stack[:0]
	caps := m.caps[:0]
	m.rt = m.rt[:0]
	pc := int32(0)
	fails := 0
	for {
		in := &code[pc]
		switch in.op {
		case opEnd:
			m.caps = append(caps, capture{s: i, kind: cClose, siz: 1})
			m.stack = stack
			return i, nil
		case opAny:
			if i < len(s) {
				i++
				pc++
				continue
			}
			goto fail
		case opString:
			if lit := p.strs[in.idx]; strings.HasPrefix(s[i:], lit) {
				i += len(lit)
				pc++
				continue
			}
			goto fail
		case opAnyN:
			if len(s)-i >= int(in.off) {
				i += int(in.off)
				pc++
				continue
			}
			goto fail
		case opChar:
			if i < len(s) && s[i] == in.aux {
				i++
				pc++
				continue
			}
			goto fail
		case opSet:
			if i < len(s) && sets[in.idx][s[i]] {
				i++
				pc++
				continue
			}
			goto fail
		case opTestAny:
			if i < len(s) {
				pc++
			} else {
				pc = in.off
			}
			continue
		case opTestChar:
			if i < len(s) && s[i] == in.aux {
				pc++
			} else {
				pc = in.off
			}
			continue
		case opTestSet:
			if i < len(s) && sets[in.idx][s[i]] {
				pc++
			} else {
				pc = in.off
			}
			continue
		case opSpan:
			t := &sets[in.idx]
			for i < len(s) && t[s[i]] {
				i++
			}
			pc++
			continue
		case opBehind:
			if int(in.off) > i {
				goto fail
			}
			i -= int(in.off)
			pc++
			continue
		case opRet:
			pc = stack[len(stack)-1].pc
			stack = stack[:len(stack)-1]
			continue
		case opChoice:
			if len(stack) >= limit {
				return -1, m.overflow()
			}
			stack = append(stack, frame{s: i, pc: in.off, caps: int32(len(caps))})
			pc++
			continue
		case opCall:
			if len(stack) >= limit {
				return -1, m.overflow()
			}
			stack = append(stack, frame{s: -1, pc: pc + 1})
			pc = in.off
			continue
		case opJmp:
			pc = in.off
			continue
		case opCommit:
			stack = stack[:len(stack)-1]
			pc = in.off
			continue
		case opPartialCommit:
			top := &stack[len(stack)-1]
			top.s = i
			top.caps = int32(len(caps))
			pc = in.off
			continue
		case opBackCommit: // an and-predicate keeps no captures
			top := stack[len(stack)-1]
			i, caps = top.s, caps[:top.caps]
			stack = stack[:len(stack)-1]
			pc = in.off
			continue
		case opFailTwice:
			stack = stack[:len(stack)-1]
			goto fail
		case opFail:
			goto fail
		case opFullCapture:
			caps = append(caps, capture{s: i - int(in.off), idx: in.idx, siz: in.off + 1, kind: capKind(in.aux)})
			pc++
			continue
		case opOpenCapture:
			caps = append(caps, capture{s: i, idx: in.idx, kind: capKind(in.aux)})
			pc++
			continue
		case opCloseCapture:
			if last := &caps[len(caps)-1]; last.siz == 0 && last.kind != cClose {
				last.siz = int32(i-last.s) + 1
			} else {
				caps = append(caps, capture{s: i, kind: cClose, siz: 1})
			}
			pc++
			continue
		case opCloseRunTime:
			open := findOpen(caps, len(caps))
			m.caps = caps
			ni, vals, err := m.runtime(open, i, s)
			if err != nil {
				return -1, err
			}
			caps = m.caps[:open+1]
			if ni < 0 {
				goto fail
			}
			i = ni
			if len(vals) == 0 {
				caps = caps[:open]
			} else {
				caps[open].idx = -1
				for _, v := range vals {
					m.rt = append(m.rt, v)
					caps = append(caps, capture{s: i, idx: int32(len(m.rt) - 1), siz: 1, kind: cRuntime})
				}
				caps = append(caps, capture{s: i, kind: cClose, siz: 1})
			}
			pc++
			continue
		}
	fail:
		if fails++; m.maxFails > 0 && fails > m.maxFails {
			m.stack, m.caps = stack, caps[:0]
			return -1, errorf("match limit exceeded (%d failures)", m.maxFails)
		}
		for {
			n := len(stack) - 1
			if n < 0 {
				m.stack, m.caps = stack, caps[:0]
				return -1, nil
			}
			f := stack[n]
			stack = stack[:n]
			if f.s >= 0 {
				i, pc, caps = f.s, f.pc, caps[:f.caps]
				break
			}
		}
	}
}

func (m *machine) overflow() error {
	return errorf("backtrack stack overflow (current limit is %d)", m.maxStack)
}

// findOpen returns the index of the open capture that a close entry at
// index end would close.
func findOpen(caps []capture, end int) int {
	n := 0
	for i := end - 1; ; i-- {
		switch {
		case caps[i].kind == cClose:
			n++
		case caps[i].siz == 0:
			if n == 0 {
				return i
			}
			n--
		}
	}
}
