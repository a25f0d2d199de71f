package matcher

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hekad-go/hekad/message"
)

// tokKind is the kind of a lexical token.
type tokKind uint8

const (
	// tEnd ends the token stream. Heka's lexer signals the end of input in
	// several ways besides running out of text (a newline, a NUL byte, and
	// every lexical error), and its parser accepts whatever came before if
	// that is complete. The token's endWhy says which one it was.
	tEnd tokKind = iota
	// tInvalid is a character that starts no token (the parser rejects it).
	tInvalid
	tLParen
	tRParen
	tAnd
	tOr
	tEQ
	tNE
	tGT
	tGE
	tLT
	tLE
	tRE
	tNRE
	tStrVar // Uuid Type Logger Payload EnvVersion Hostname
	tNumVar // Timestamp Severity Pid
	tFields // Fields[name][fi][ai]
	tString
	tNumber
	tRegexp
	tTrue
	tFalse
	tNil
)

// token is one lexical token. pos and end delimit its source text.
type token struct {
	kind tokKind
	pos  int
	end  int

	hdr    message.HeaderField // tStrVar, tNumVar
	text   string              // tString value, tFields name
	num    float64             // tNumber
	fi, ai int                 // tFields indices
	rx     *regex              // tRegexp
	endWhy string              // tEnd: what ended the expression (found ...)
	cause  error               // tEnd: underlying error (invalid regexp)
}

var identifiers = map[string]token{
	"Uuid":       {kind: tStrVar, hdr: message.HeaderUuid},
	"Type":       {kind: tStrVar, hdr: message.HeaderType},
	"Logger":     {kind: tStrVar, hdr: message.HeaderLogger},
	"Payload":    {kind: tStrVar, hdr: message.HeaderPayload},
	"EnvVersion": {kind: tStrVar, hdr: message.HeaderEnvVersion},
	"Hostname":   {kind: tStrVar, hdr: message.HeaderHostname},
	"Timestamp":  {kind: tNumVar, hdr: message.HeaderTimestamp},
	"Severity":   {kind: tNumVar, hdr: message.HeaderSeverity},
	"Pid":        {kind: tNumVar, hdr: message.HeaderPid},
	"TRUE":       {kind: tTrue},
	"FALSE":      {kind: tFalse},
	"NIL":        {kind: tNil},
}

// lexer turns a matcher expression into tokens, one per call to lex. It
// reproduces the character-level behaviour of Heka's hand-written lexer,
// including its quirks; each one is noted where it is implemented.
type lexer struct {
	src  string
	pos  int // next byte to read
	last int // where the rune returned by the latest next() began
}

// next returns the next rune and advances past it. It returns 0 at the end
// of the text and, as Heka does, for a newline and for a NUL byte: all three
// end the expression. Unlike the real end, a newline or NUL is consumed, so
// a caller that reads on (only the backslash escapes in literals do) sees
// the text after it. Invalid UTF-8 reads as utf8.RuneError, one byte at a
// time, so literals built from these runes hold U+FFFD in place of each
// invalid byte (Heka: string(rune)).
func (l *lexer) next() rune {
	l.last = l.pos
	if l.pos >= len(l.src) {
		return 0
	}
	c, n := utf8.DecodeRuneInString(l.src[l.pos:])
	l.pos += n
	if c == '\n' {
		return 0
	}
	return c
}

// backup un-reads the rune returned by the latest next().
func (l *lexer) backup() { l.pos = l.last }

// end returns a tEnd token for an expression that ended at byte pos
// because of the rune last read (end of text, newline or NUL).
func (l *lexer) end() token {
	why := "the end of the expression"
	if l.last < len(l.src) {
		if l.src[l.last] == '\n' {
			why = "a newline (the expression ends at the first newline)"
		} else {
			why = "a NUL byte (the expression ends there)"
		}
	}
	return token{kind: tEnd, pos: l.last, end: l.last, endWhy: why}
}

// lexErr returns the tEnd token that Heka's lexer produces on a lexical
// error: the expression silently ends at pos. The parser turns it into a
// syntax error only if the expression is incomplete at that point.
func (l *lexer) lexErr(pos int, cause error, format string, args ...any) token {
	return token{kind: tEnd, pos: pos, end: l.pos, endWhy: fmt.Sprintf(format, args...), cause: cause}
}

// lex returns the next token.
func (l *lexer) lex() token {
	for {
		start := l.pos
		c := l.next()
		switch {
		case c == ' ' || c == '\t':
			continue
		case c >= 'A' && c <= 'Z':
			return l.identifier(start)
		case (c >= '0' && c <= '9') || c == '.':
			return l.number(start)
		}
		switch c {
		case 0:
			return l.end()
		case '(':
			return token{kind: tLParen, pos: start, end: l.pos}
		case ')':
			return token{kind: tRParen, pos: start, end: l.pos}
		case '=':
			return l.pair(start, c, '=', tEQ, '~', tRE)
		case '!':
			return l.pair(start, c, '=', tNE, '~', tNRE)
		case '|':
			return l.pair(start, c, '|', tOr, 0, tInvalid)
		case '&':
			return l.pair(start, c, '&', tAnd, 0, tInvalid)
		case '>':
			return l.orEqual(start, tGT, tGE)
		case '<':
			return l.orEqual(start, tLT, tLE)
		case '"', '\'':
			return l.quoted(start, c)
		case '/':
			return l.regexp(start)
		}
		return token{kind: tInvalid, pos: start, end: l.pos}
	}
}

// pair lexes a two-character operator whose first character c has been
// read: c followed by s1 gives k1, c followed by s2 (if not 0) gives k2.
//
// Quirk (Heka's code; the reference does not say): any other second
// character is consumed and returned as a token of its own, and c is
// dropped. So "=(" lexes as "(", "!)" as ")", "=" at the end of the text
// (or before a newline) as the end of the expression, and anything else
// as an invalid character.
func (l *lexer) pair(start int, c, s1 rune, k1 tokKind, s2 rune, k2 tokKind) token {
	second := l.pos
	d := l.next()
	switch {
	case d == s1:
		return token{kind: k1, pos: start, end: l.pos}
	case s2 != 0 && d == s2:
		return token{kind: k2, pos: start, end: l.pos}
	case d == 0:
		return l.lexErr(start, nil, "%q followed by nothing (operators are %s)", string(c), operatorList)
	case d == '(':
		return token{kind: tLParen, pos: second, end: l.pos}
	case d == ')':
		return token{kind: tRParen, pos: second, end: l.pos}
	}
	return token{kind: tInvalid, pos: start, end: l.pos}
}

const operatorList = `==, !=, <, <=, >, >=, =~, !~, && and ||`

// orEqual lexes "<", "<=", ">" or ">=" after the first character.
func (l *lexer) orEqual(start int, single, withEq tokKind) token {
	if l.next() == '=' {
		return token{kind: withEq, pos: start, end: l.pos}
	}
	l.backup()
	return token{kind: single, pos: start, end: l.pos}
}

// identifier lexes a word of ASCII letters that starts with an upper-case
// letter. An unknown word ends the expression (Heka's lexer returns
// end-of-input for it), so it is a syntax error only where the expression
// is incomplete.
func (l *lexer) identifier(start int) token {
	for {
		c := l.next()
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			l.backup()
			break
		}
	}
	word := l.src[start:l.pos]
	if word == "Fields" {
		return l.fields(start)
	}
	t, ok := identifiers[word]
	if !ok {
		return l.lexErr(start, nil, "unknown identifier %q", word)
	}
	t.pos, t.end = start, l.pos
	return t
}

// fields lexes the brackets after "Fields": [name], then up to two
// decimal indices [fi][ai]. The name is every character up to the first
// "]" (it may contain "[", spaces, quotes...). Any error ends the
// expression, as an unknown identifier does.
func (l *lexer) fields(start int) token {
	if l.next() != '[' {
		return l.lexErr(start, nil, `"Fields" not followed by "[name]"`)
	}
	var name strings.Builder
	var idx [3]string
	n := 0 // bracket groups closed so far
	for {
		c := l.next()
		if c == 0 {
			return l.lexErr(start, nil, `an unterminated %q (missing "]")`, l.src[start:l.last])
		}
		if c == ']' {
			if n == 0 && name.Len() == 0 || n > 0 && idx[n] == "" {
				return l.lexErr(start, nil, "an empty name or index in %q", l.src[start:l.pos])
			}
			n++
			if l.next() == '[' && n < len(idx) {
				continue
			}
			l.backup()
			break
		}
		if n == 0 {
			name.WriteRune(c)
			continue
		}
		if c < '0' || c > '9' {
			return l.lexErr(start, nil, "a non-decimal index in %q", l.src[start:l.pos])
		}
		idx[n] += string(c)
	}
	t := token{kind: tFields, pos: start, end: l.pos, text: name.String()}
	for i, p := range []*int{&t.fi, &t.ai} {
		if idx[i+1] == "" {
			continue
		}
		v, err := strconv.Atoi(idx[i+1])
		if err != nil {
			return l.lexErr(start, nil, "an index out of range in %q", l.src[start:l.pos])
		}
		*p = v
	}
	return t
}

// number lexes a numeric literal: a digit or "." followed by any run of
// digits, ".", "e", "+" and "-", read as a float64. There is no leading
// minus, so negative literals do not exist.
//
// A run that is not a valid float64 (such as "1e+e", "1.2.3" or "1e400")
// reads as 0, as in Heka. Heka also logs the bad literal; a matcher is
// compiled by a pure function and cannot log, so it is silently 0 here.
func (l *lexer) number(start int) token {
	for {
		c := l.next()
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == '+' || c == '-') {
			l.backup()
			break
		}
	}
	text := l.src[start:l.pos]
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		v = 0
	}
	return token{kind: tNumber, pos: start, end: l.pos, num: v}
}

// quoted lexes a string literal in single or double quotes. A backslash
// escapes only the quote character that opened the literal; before any
// other character both characters are kept.
//
// Quirk (Heka's code): a backslash followed by a newline or NUL byte keeps
// the backslash and a NUL and carries on after the newline, although a
// newline anywhere else ends the expression.
func (l *lexer) quoted(start int, q rune) token {
	var sb strings.Builder
	for {
		c := l.next()
		if c == 0 {
			return l.lexErr(start, nil, "an unterminated string literal")
		}
		if c == '\\' {
			if d := l.next(); d == q {
				sb.WriteRune(q)
			} else {
				sb.WriteRune('\\')
				sb.WriteRune(d)
			}
			continue
		}
		if c == q {
			break
		}
		sb.WriteRune(c)
	}
	return token{kind: tString, pos: start, end: l.pos, text: sb.String()}
}

// regexp lexes a regular expression between slashes. "\/" stands for "/";
// every other escape is left for Go's regexp package (RE2 syntax). There
// are no flags after the closing slash: use (?i) and friends. An invalid
// regular expression ends the expression, as an unknown identifier does.
func (l *lexer) regexp(start int) token {
	var sb strings.Builder
	for {
		c := l.next()
		if c == 0 {
			return l.lexErr(start, nil, "an unterminated regular expression")
		}
		if c == '\\' {
			if d := l.next(); d == '/' {
				sb.WriteRune('/')
			} else {
				sb.WriteRune('\\')
				sb.WriteRune(d)
			}
			continue
		}
		if c == '/' {
			break
		}
		sb.WriteRune(c)
	}
	expr := sb.String()
	rx, err := compileRegex(expr)
	if err != nil {
		return l.lexErr(start, err, "an invalid regular expression %s (%v)", l.src[start:l.pos], err)
	}
	return token{kind: tRegexp, pos: start, end: l.pos, rx: rx}
}
