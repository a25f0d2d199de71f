package lpeg

import "math/bits"

// charset is a set of bytes, one bit per byte value.
type charset [8]uint32

// has reports whether c is in the set.
func (cs *charset) has(c byte) bool { return cs[c>>5]&(1<<(c&31)) != 0 }

// add puts c into the set.
func (cs *charset) add(c byte) { cs[c>>5] |= 1 << (c & 31) }

// union returns the bytes in either set.
func (cs *charset) union(o *charset) *charset {
	var r charset
	for i := range r {
		r[i] = cs[i] | o[i]
	}
	return &r
}

// minus returns the bytes of cs that are not in o.
func (cs *charset) minus(o *charset) *charset {
	var r charset
	for i := range r {
		r[i] = cs[i] &^ o[i]
	}
	return &r
}

// disjoint reports whether the sets share no byte.
func (cs *charset) disjoint(o *charset) bool {
	for i := range cs {
		if cs[i]&o[i] != 0 {
			return false
		}
	}
	return true
}

// fullSet holds every byte. It is read-only: code that needs a set to
// change copies it.
var fullSet = charset{^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0)}

// single describes the set: how many bytes it holds (0, 1, 256 or
// "other" as 2) and, for a singleton, which byte.
func (cs *charset) single() (kind int, c byte) {
	n := 0
	for i, w := range cs {
		if w != 0 && n == 0 {
			c = byte(i*32 + bits.TrailingZeros32(w))
		}
		n += bits.OnesCount32(w)
	}
	switch n {
	case 0, 1:
		return n, c
	case 256:
		return 256, 0
	}
	return 2, 0
}

// setOf builds the set of the bytes for which pred is true.
func setOf(pred func(c byte) bool) *charset {
	var cs charset
	for i := 0; i < 256; i++ {
		if pred(byte(i)) {
			cs.add(byte(i))
		}
	}
	return &cs
}

// byteTable is a set as one flag per byte value: what the machine tests,
// one load per byte instead of a shift and a mask.
type byteTable [256]bool

// table returns the set as a byteTable.
func (cs *charset) table() byteTable {
	var t byteTable
	for i := range t {
		t[i] = cs.has(byte(i))
	}
	return t
}
