package matcher

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/hekad-go/hekad/message"
)

// maxDepth bounds the nesting of parentheses, so that a hostile expression
// cannot exhaust the stack. Heka has no such limit; no real matcher comes
// near it.
const maxDepth = 1000

// parser is a recursive-descent parser for Heka's matcher grammar:
//
//	spec    = expr { expr }            // juxtaposed: only the last one counts
//	expr    = and { "||" and }
//	and     = primary { "&&" primary }
//	primary = "(" expr ")" | "TRUE" | "FALSE" | test
//	test    = STRVAR relop STRING | STRVAR ("=~"|"!~") REGEXP
//	        | NUMVAR relop NUMBER
//	        | FIELDS relop (STRING|NUMBER) | FIELDS "==" ("TRUE"|"FALSE")
//	        | FIELDS ("=~"|"!~") REGEXP | FIELDS ("=="|"!=") "NIL"
//	relop   = "==" | "!=" | ">" | ">=" | "<" | "<="
//
// It accepts exactly the token sequences Heka's yacc grammar accepts.
type parser struct {
	lx    lexer
	tok   token
	depth int
}

func (p *parser) advance() { p.tok = p.lx.lex() }

// parse parses the whole expression and returns the tree that decides it.
func (p *parser) parse() (*node, error) {
	p.advance()
	for {
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		switch p.tok.kind {
		case tEnd:
			return n, nil
		case tLParen, tTrue, tFalse, tStrVar, tNumVar, tFields:
			// Heka's grammar accepts a sequence of expressions
			// ("spec: spec expr"), but only the last one is kept
			// and evaluated. We do the same.
			continue
		}
		return nil, p.errorf(`"&&", "||" or the end of the expression`)
	}
}

func (p *parser) or() (*node, error) {
	n, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tOr {
		p.advance()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		n = join(kOr, n, r)
	}
	return n, nil
}

func (p *parser) and() (*node, error) {
	n, err := p.primary()
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tAnd {
		p.advance()
		r, err := p.primary()
		if err != nil {
			return nil, err
		}
		n = join(kAnd, n, r)
	}
	return n, nil
}

// join combines l and r under k, flattening chains of the same operator
// into one node (evaluation order and short-circuiting are unchanged).
func join(k nodeKind, l, r *node) *node {
	if l.kind == k {
		l.kids = append(l.kids, r)
		return l
	}
	return &node{kind: k, kids: []*node{l, r}}
}

func (p *parser) primary() (*node, error) {
	switch t := p.tok; t.kind {
	case tLParen:
		if p.depth >= maxDepth {
			return nil, p.errorAt(t.pos, fmt.Sprintf("parentheses nested deeper than %d", maxDepth), nil)
		}
		p.depth++
		p.advance()
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRParen {
			return nil, p.errorf(`")" to close the "(" at byte %d`, t.pos)
		}
		p.depth--
		p.advance()
		return n, nil
	case tTrue:
		p.advance()
		return &node{kind: kTrue}, nil
	case tFalse:
		p.advance()
		return &node{kind: kFalse}, nil
	case tStrVar, tNumVar, tFields:
		return p.test()
	}
	return nil, p.errorf(`an expression (a comparison, TRUE, FALSE or "(")`)
}

// test parses variable, operator and value.
func (p *parser) test() (*node, error) {
	v := p.tok
	p.advance()
	op := p.tok
	rel, ok := relOf(op.kind)
	if !ok {
		return nil, p.errorf("a comparison operator after %s", p.quote(v))
	}
	isRegexOp := rel == relRE || rel == relNRE
	if v.kind == tNumVar && isRegexOp {
		return nil, p.errorAt(op.pos, fmt.Sprintf("%s cannot be used with the numeric variable %s", p.quote(op), p.quote(v)), nil)
	}
	p.advance()
	val := p.tok
	n := &node{rel: rel, hdr: v.hdr, str: val.text, num: val.num, rx: val.rx}
	switch v.kind {
	case tStrVar:
		n.kind = kString
		if v.hdr == message.HeaderUuid {
			n.kind = kUuid
		}
	case tNumVar:
		n.kind = kNumber
	case tFields:
		n.kind, n.name, n.fi, n.ai = kField, v.text, v.fi, v.ai
	}
	var want string
	switch {
	case isRegexOp:
		want = "a regular expression (/.../)"
		if val.kind == tRegexp {
			n.val = vRegexp
		}
	case v.kind == tStrVar:
		want = "a string literal"
		if val.kind == tString {
			n.val = vString
		}
	case v.kind == tNumVar:
		want = "a number"
		if val.kind == tNumber {
			n.val = vNumber
		}
	default: // Fields with a relational operator
		switch val.kind {
		case tString:
			n.val = vString
		case tNumber:
			n.val = vNumber
		case tTrue, tFalse:
			// Compared with string fields as the text "TRUE" or
			// "FALSE" (Heka keeps the keyword as the token text).
			if rel == relEQ {
				n.val, n.str = vFalse, "FALSE"
				if val.kind == tTrue {
					n.val, n.str = vTrue, "TRUE"
				}
			}
		case tNil:
			if rel == relEQ || rel == relNE {
				n.val = vNil
			}
		}
		switch rel {
		case relEQ:
			want = "a string, a number, TRUE, FALSE or NIL"
		case relNE:
			want = "a string, a number or NIL"
		default:
			want = "a string or a number"
		}
	}
	if n.val == vNone {
		return nil, p.errorf("%s after %s", want, p.quote(op))
	}
	p.advance()
	return n, nil
}

// relOf maps an operator token to its relation.
func relOf(k tokKind) (rel, bool) {
	switch k {
	case tEQ:
		return relEQ, true
	case tNE:
		return relNE, true
	case tGT:
		return relGT, true
	case tGE:
		return relGE, true
	case tLT:
		return relLT, true
	case tLE:
		return relLE, true
	case tRE:
		return relRE, true
	case tNRE:
		return relNRE, true
	}
	return 0, false
}

// errorf reports that the current token is not what was expected.
func (p *parser) errorf(format string, args ...any) error {
	return p.errorAt(p.tok.pos, "expected "+fmt.Sprintf(format, args...)+", found "+p.found(), p.tok.cause)
}

func (p *parser) errorAt(pos int, msg string, cause error) error {
	return &SyntaxError{Expr: p.lx.src, Pos: pos, Msg: msg, Err: cause}
}

// found describes the current token for an error message.
func (p *parser) found() string {
	t := p.tok
	switch t.kind {
	case tEnd:
		return t.endWhy
	case tInvalid:
		src := p.lx.src
		if c := src[t.pos]; c == '=' || c == '!' || c == '|' || c == '&' {
			return fmt.Sprintf("%s, which is not an operator (operators are %s)", strconv.Quote(src[t.pos:t.end]), operatorList)
		}
		return p.quoteText(src[t.pos:wordEnd(src, t.pos)])
	}
	return p.quote(t)
}

// quote returns the source text of t, quoted for a message.
func (p *parser) quote(t token) string { return p.quoteText(p.lx.src[t.pos:t.end]) }

func (p *parser) quoteText(s string) string {
	const maxLen = 40
	if len(s) > maxLen {
		i := maxLen
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		return strconv.Quote(s[:i]) + "..."
	}
	return strconv.Quote(s)
}

// wordEnd returns the end of the word starting at i: a run of ASCII
// letters, digits and underscores, or else the single rune at i.
func wordEnd(s string, i int) int {
	j := i
	for j < len(s) {
		c := s[j]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			break
		}
		j++
	}
	if j == i {
		_, n := utf8.DecodeRuneInString(s[i:])
		j = i + n
	}
	return j
}
