package matcher

import "github.com/hekad-go/hekad/message"

// nodeKind is the kind of a node of a compiled matcher.
type nodeKind uint8

const (
	kAnd    nodeKind = iota // all kids, left to right, short-circuit
	kOr                     // any kid, left to right, short-circuit
	kTrue                   // TRUE
	kFalse                  // FALSE
	kString                 // Type, Logger, Payload, EnvVersion, Hostname
	kUuid                   // Uuid (as hyphenated lower-case text)
	kNumber                 // Timestamp, Severity, Pid
	kField                  // Fields[name][fi][ai]
)

// rel is a comparison operator.
type rel uint8

const (
	relEQ rel = iota
	relNE
	relGT
	relGE
	relLT
	relLE
	relRE
	relNRE
)

// valKind is the kind of the literal on the right of a comparison.
type valKind uint8

const (
	vNone valKind = iota
	vString
	vNumber
	vRegexp
	vTrue  // TRUE (str is "TRUE")
	vFalse // FALSE (str is "FALSE")
	vNil
)

// node is one node of a compiled matcher: an operator over kids, a
// constant or a comparison.
type node struct {
	kind   nodeKind
	rel    rel
	val    valKind
	hdr    message.HeaderField
	fi, ai int
	kids   []*node
	str    string  // string literal or TRUE/FALSE text
	num    float64 // number literal
	rx     *regex  // regexp literal
	name   string  // field name
}

// eval reports whether m satisfies the node.
func (n *node) eval(m *message.Message) bool {
	switch n.kind {
	case kAnd:
		for _, k := range n.kids {
			if !k.eval(m) {
				return false
			}
		}
		return true
	case kOr:
		for _, k := range n.kids {
			if k.eval(m) {
				return true
			}
		}
		return false
	case kTrue:
		return true
	case kString:
		return n.testString(headerString(m, n.hdr))
	case kUuid:
		return n.testUuid(m)
	case kNumber:
		return n.testNumber(headerNumber(m, n.hdr))
	case kField:
		return n.testField(m)
	}
	return false
}

func headerString(m *message.Message, h message.HeaderField) string {
	switch h {
	case message.HeaderType:
		return m.GetType()
	case message.HeaderLogger:
		return m.GetLogger()
	case message.HeaderPayload:
		return m.GetPayload()
	case message.HeaderEnvVersion:
		return m.GetEnvVersion()
	case message.HeaderHostname:
		return m.GetHostname()
	}
	return ""
}

// headerNumber returns a numeric header as float64. An unset Severity is 7.
func headerNumber(m *message.Message, h message.HeaderField) float64 {
	switch h {
	case message.HeaderTimestamp:
		return float64(m.GetTimestamp())
	case message.HeaderSeverity:
		return float64(m.GetSeverity())
	case message.HeaderPid:
		return float64(m.GetPid())
	}
	return 0
}

// absent is the result of a comparison whose field or array index does not
// exist: only "== NIL" holds.
func (n *node) absent() bool { return n.val == vNil && n.rel == relEQ }

// testString compares a string value. A number literal never matches a
// string; NIL is only compared with fields that exist.
func (n *node) testString(s string) bool {
	switch n.val {
	case vNumber:
		return false
	case vNil:
		return n.rel == relNE
	}
	switch n.rel {
	case relEQ:
		return s == n.str
	case relNE:
		return s != n.str
	case relGT:
		return s > n.str
	case relGE:
		return s >= n.str
	case relLT:
		return s < n.str
	case relLE:
		return s <= n.str
	case relRE:
		return n.rx.matchString(s)
	case relNRE:
		return !n.rx.matchString(s)
	}
	return false
}

// testBytes compares a BYTES value as if it were a string.
func (n *node) testBytes(b []byte) bool {
	if n.val == vRegexp {
		return n.rx.match(b) == (n.rel == relRE)
	}
	return n.cmpBytes(b)
}

// testUuid compares the uuid in its hyphenated lower-case form ("" when it
// is not 16 bytes long), formatted on the stack.
func (n *node) testUuid(m *message.Message) bool {
	var buf [36]byte
	u := buf[:0]
	if message.FormatUUID(&buf, m.GetUuid()) {
		u = buf[:]
	}
	if n.val == vRegexp {
		// u is on the stack: only the literal modes and the pre-check
		// read it in place.
		var ok bool
		switch {
		case n.rx.mode != reFull:
			ok = n.rx.matchLit(u)
		case !n.rx.rejects(u):
			ok = n.rx.matchString(string(u))
		}
		return ok == (n.rel == relRE)
	}
	return n.cmpBytes(u)
}

// cmpBytes is testString for a []byte, except for regexps. The string(b)
// conversions in comparisons do not allocate.
func (n *node) cmpBytes(b []byte) bool {
	switch n.val {
	case vNumber:
		return false
	case vNil:
		return n.rel == relNE
	}
	switch n.rel {
	case relEQ:
		return string(b) == n.str
	case relNE:
		return string(b) != n.str
	case relGT:
		return string(b) > n.str
	case relGE:
		return string(b) >= n.str
	case relLT:
		return string(b) < n.str
	case relLE:
		return string(b) <= n.str
	}
	return false
}

// testNumber compares a numeric value. Only number literals (and NIL, for
// fields that exist) can match.
func (n *node) testNumber(f float64) bool {
	switch n.val {
	case vNumber:
	case vNil:
		return n.rel == relNE
	default:
		return false
	}
	switch n.rel {
	case relEQ:
		return f == n.num
	case relNE:
		return f != n.num
	case relGT:
		return f > n.num
	case relGE:
		return f >= n.num
	case relLT:
		return f < n.num
	case relLE:
		return f <= n.num
	}
	return false
}

// findField returns the fi-th field named n.name (as message.FindField),
// cheaply skipping fields whose name differs in length or last byte.
func (n *node) findField(m *message.Message) *message.Field {
	name, fi := n.name, n.fi
	if name == "" {
		return m.FindField(name, fi)
	}
	last := name[len(name)-1]
	for _, f := range m.GetFields() {
		if fn := f.GetName(); len(fn) == len(name) && fn[len(fn)-1] == last && fn == name {
			if fi == 0 {
				return f
			}
			fi--
		}
	}
	return nil
}

// testField looks up Fields[name][fi][ai] and compares its value according
// to the field's type.
func (n *node) testField(m *message.Message) bool {
	f := n.findField(m)
	if f == nil {
		return n.absent()
	}
	ai := n.ai
	switch f.GetValueType() {
	case message.ValueString:
		v := f.GetValueString()
		if ai >= len(v) {
			return n.absent()
		}
		return n.testString(v[ai])
	case message.ValueBytes:
		v := f.GetValueBytes()
		if ai >= len(v) {
			return n.absent()
		}
		return n.testBytes(v[ai])
	case message.ValueInteger:
		v := f.GetValueInteger()
		if ai >= len(v) {
			return n.absent()
		}
		return n.testNumber(float64(v[ai]))
	case message.ValueDouble:
		v := f.GetValueDouble()
		if ai >= len(v) {
			return n.absent()
		}
		return n.testNumber(v[ai])
	case message.ValueBool:
		v := f.GetValueBool()
		if ai >= len(v) {
			return n.absent()
		}
		if n.val == vNil {
			return n.rel == relNE
		}
		// Heka ignores the operator here: the value is compared with
		// TRUE if the literal is TRUE and with FALSE for any other
		// literal (a string, a number, a regexp or FALSE).
		if n.val == vTrue {
			return v[ai]
		}
		return !v[ai]
	}
	// A value type Heka does not know: no comparison holds, not even
	// "== NIL" (Heka's evaluator falls through to false).
	return false
}
