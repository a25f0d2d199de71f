package engine

import "github.com/hekad-go/hekad/pipeline"

// constantMatcher is implemented by matchers that can tell whether they are
// the constant TRUE or FALSE (message/matcher does).
type constantMatcher interface {
	Constant() (value, ok bool)
}

// nothingReadsMessages reports whether no plugin will read the message of a
// pack that an input delivers: every filter's matcher is FALSE, and every
// output's matcher is TRUE or FALSE, where each TRUE output is a
// pipeline.DataWriter whose encoder is a pipeline.BytesForwarder. Inputs
// then have decoders that are pipeline.RecordCheckers (ProtobufDecoder)
// check records instead of decoding them: a relay or archive of framed
// protobuf forwards every message byte for byte without decoding it.
//
// Messages the engine or filters inject are decoded messages and are
// unaffected.
func (e *Engine) nothingReadsMessages() bool {
	for _, s := range e.filters {
		if v, ok := constant(s.matcher); !ok || v {
			return false
		}
	}
	for _, s := range e.outputs {
		v, ok := constant(s.matcher)
		if !ok {
			return false
		}
		if !v {
			continue
		}
		if _, ok := s.output.(pipeline.DataWriter); !ok {
			return false
		}
		if _, ok := s.encoder.(pipeline.BytesForwarder); !ok {
			return false
		}
	}
	return true
}

func constant(m Matcher) (value, ok bool) {
	c, isConst := m.(constantMatcher)
	if !isConst {
		return false, false
	}
	return c.Constant()
}
