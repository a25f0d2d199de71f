package message

import (
	"bytes"
	"math"
	"slices"
)

// CopyTo makes dst a deep copy of m, reusing dst's memory the way Unmarshal
// does (dst is reset first, and its Fields, value slices and bytes arena are
// recycled). String values are shared, as strings are immutable; uuid and
// bytes values are copied, so later changes to either message do not show
// in the other.
func (m *Message) CopyTo(dst *Message) {
	if dst == m {
		return
	}
	dst.Reset()
	dst.timestamp = m.timestamp
	dst.typ = m.typ
	dst.logger = m.logger
	dst.payload = m.payload
	dst.envVersion = m.envVersion
	dst.hostname = m.hostname
	dst.severity = m.severity
	dst.pid = m.pid
	dst.present = m.present

	// One arena reservation for everything copied.
	need := 0
	if len(m.uuid) > UUIDSize {
		need += len(m.uuid)
	}
	for _, f := range m.fields {
		for _, b := range f.valueBytes {
			need += len(b)
		}
	}
	if m.Has(HeaderUuid) {
		if len(m.uuid) <= UUIDSize {
			dst.uuid = dst.uuidBuf[:len(m.uuid)]
			copy(dst.uuid, m.uuid)
		} else {
			dst.uuid = dst.arenaCopy(m.uuid, need)
		}
	}
	for _, f := range m.fields {
		g := dst.newField()
		g.name = f.name
		g.representation = f.representation
		g.valueType = f.valueType
		g.present = f.present
		g.valueString = append(g.valueString, f.valueString...)
		for _, b := range f.valueBytes {
			g.valueBytes = append(g.valueBytes, dst.arenaCopy(b, need))
		}
		g.valueInteger = append(g.valueInteger, f.valueInteger...)
		g.valueDouble = append(g.valueDouble, f.valueDouble...)
		g.valueBool = append(g.valueBool, f.valueBool...)
	}
}

// Clone returns a deep copy of m (see CopyTo).
func (m *Message) Clone() *Message {
	c := new(Message)
	m.CopyTo(c)
	return c
}

// Equal reports whether m and o hold the same message: the same header
// fields present with the same values, and equal Fields in the same order.
// Doubles are compared by bit pattern, so a NaN equals itself and 0 differs
// from -0, which is what the encoding distinguishes.
func (m *Message) Equal(o *Message) bool {
	if m == o {
		return true
	}
	if m == nil || o == nil {
		return false
	}
	if m.present != o.present ||
		!bytes.Equal(m.uuid, o.uuid) ||
		m.timestamp != o.timestamp ||
		m.typ != o.typ ||
		m.logger != o.logger ||
		m.severity != o.severity ||
		m.payload != o.payload ||
		m.envVersion != o.envVersion ||
		m.pid != o.pid ||
		m.hostname != o.hostname ||
		len(m.fields) != len(o.fields) {
		return false
	}
	for i, f := range m.fields {
		if !f.Equal(o.fields[i]) {
			return false
		}
	}
	return true
}

// Equal reports whether f and g have the same name, value type,
// representation (presence included) and values in every value array.
// Doubles are compared by bit pattern.
func (f *Field) Equal(g *Field) bool {
	if f == g {
		return true
	}
	if f == nil || g == nil {
		return false
	}
	return f.name == g.name &&
		f.present == g.present &&
		f.valueType == g.valueType &&
		f.representation == g.representation &&
		slices.Equal(f.valueString, g.valueString) &&
		slices.EqualFunc(f.valueBytes, g.valueBytes, bytes.Equal) &&
		slices.Equal(f.valueInteger, g.valueInteger) &&
		slices.EqualFunc(f.valueDouble, g.valueDouble, func(a, b float64) bool {
			return math.Float64bits(a) == math.Float64bits(b)
		}) &&
		slices.Equal(f.valueBool, g.valueBool)
}
