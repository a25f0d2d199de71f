package matcher

// ReadsFields reports whether evaluating the expression may read the
// message's Fields. A caller whose messages are still encoded can then
// decode only the header fields (message.Message.UnmarshalHeaders) for a
// matcher that does not.
func (m *Matcher) ReadsFields() bool { return m.root.readsFields() }

func (n *node) readsFields() bool {
	if n.kind == kField {
		return true
	}
	for _, k := range n.kids {
		if k.readsFields() {
			return true
		}
	}
	return false
}
