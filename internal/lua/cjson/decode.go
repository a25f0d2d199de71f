package cjson

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"

	"github.com/hekad-go/hekad/internal/lua/compat"
)

// Token kinds, named as lua-cjson names them in its errors.
const (
	tObjBegin = iota
	tObjEnd
	tArrBegin
	tArrEnd
	tString
	tNumber
	tBoolean
	tNull
	tColon
	tComma
	tEnd
	tWhitespace
	tError
	tUnknown
)

var tokenNames = [...]string{"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END", "T_STRING",
	"T_NUMBER", "T_BOOLEAN", "T_NULL", "T_COLON", "T_COMMA", "T_END", "T_WHITESPACE", "T_ERROR", "T_UNKNOWN"}

var ch2token = func() (t [256]byte) {
	for i := range t {
		t[i] = tError
	}
	t['{'], t['}'], t['['], t[']'], t[','], t[':'], t[0] = tObjBegin, tObjEnd, tArrBegin, tArrEnd, tComma, tColon, tEnd
	t[' '], t['\t'], t['\n'], t['\r'] = tWhitespace, tWhitespace, tWhitespace, tWhitespace
	for _, c := range "fiInNt\"+-0123456789" {
		t[c] = tUnknown
	}
	return t
}()

var escape2char = func() (t [256]byte) {
	t['"'], t['\\'], t['/'], t['b'], t['t'], t['n'], t['f'], t['r'], t['u'] = '"', '\\', '/', '\b', '\t', '\n', '\f', '\r', 'u'
	return t
}()

type token struct {
	kind  int
	index int // where the token starts (0-based)
	str   string
	num   float64
	b     bool
	err   string // for tError
}

// parser decodes one text. Like lua-cjson's, it sees the text as a C string:
// a NUL byte ends it.
type parser struct {
	c     *config
	L     *lua.LState
	data  string
	pos   int
	depth int
	sb    []byte
}

func (p *parser) at(i int) byte {
	if i < len(p.data) {
		return p.data[i]
	}
	return 0
}

func (c *config) decode(L *lua.LState) int {
	if L.GetTop() != 1 {
		argError(L, "decode", 1, "expected 1 argument")
	}
	var s string
	switch v := L.Get(1).(type) {
	case lua.LString:
		s = string(v)
	case lua.LNumber:
		s = string(compat.AppendNumber(nil, float64(v)))
	default:
		argError(L, "decode", 1, "string expected, got "+typeName(v))
	}
	if c.maxText > 0 && len(s) > c.maxText {
		raise(L, "memory_limit exceeded")
	}
	if len(s) >= 2 && (s[0] == 0 || s[1] == 0) {
		raise(L, "JSON parser does not support UTF-16 or UTF-32")
	}
	p := parser{c: c, L: L, data: s}
	var tok token
	p.next(&tok)
	v := p.value(&tok)
	p.next(&tok)
	if tok.kind != tEnd {
		p.fail("the end", &tok)
	}
	L.Push(v)
	return 1
}

// Decode decodes s with lua-cjson's default settings (nulls dropped).
func Decode(L *lua.LState, s string) lua.LValue {
	c := newConfig(Options{})
	p := parser{c: c, L: L, data: s}
	var tok token
	p.next(&tok)
	v := p.value(&tok)
	p.next(&tok)
	if tok.kind != tEnd {
		p.fail("the end", &tok)
	}
	return v
}

func (p *parser) fail(expected string, tok *token) {
	found := tok.err
	if tok.kind != tError {
		found = tokenNames[tok.kind]
	}
	raise(p.L, "Expected %s but found %s at character %d", expected, found, tok.index+1)
}

func (p *parser) setError(tok *token, msg string) {
	tok.kind = tError
	tok.index = p.pos
	tok.err = msg
}

func (p *parser) next(tok *token) {
	var ch byte
	for {
		ch = p.at(p.pos)
		tok.kind = int(ch2token[ch])
		if tok.kind != tWhitespace {
			break
		}
		p.pos++
	}
	tok.index = p.pos
	switch tok.kind {
	case tError:
		p.setError(tok, "invalid token")
		return
	case tEnd:
		return
	case tUnknown:
	default:
		p.pos++
		return
	}
	rest := p.data[p.pos:]
	switch {
	case ch == '"':
		p.stringToken(tok)
	case ch == '-' || ('0' <= ch && ch <= '9'):
		if !p.c.decodeInvalid && p.invalidNumber() {
			p.setError(tok, "invalid number")
			return
		}
		p.numberToken(tok)
	case strings.HasPrefix(rest, "true"):
		tok.kind, tok.b = tBoolean, true
		p.pos += 4
	case strings.HasPrefix(rest, "false"):
		tok.kind, tok.b = tBoolean, false
		p.pos += 5
	case strings.HasPrefix(rest, "null"):
		tok.kind = tNull
		p.pos += 4
	case p.c.decodeInvalid && p.invalidNumber():
		p.numberToken(tok)
	default:
		p.setError(tok, "invalid token")
	}
}

// invalidNumber is lua-cjson's json_is_invalid_number: a number strtod
// accepts but JSON does not (a '+', hex, leading zeros, inf, nan).
func (p *parser) invalidNumber() bool {
	i := p.pos
	if p.at(i) == '+' {
		return true
	}
	if p.at(i) == '-' {
		i++
	}
	if c := p.at(i); c == '0' {
		c2 := p.at(i + 1)
		return c2|0x20 == 'x' || ('0' <= c2 && c2 <= '9')
	} else if c <= '9' {
		return false
	}
	return hasPrefixFold(p.data[min(i, len(p.data)):], "inf") || hasPrefixFold(p.data[min(i, len(p.data)):], "nan")
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func (p *parser) numberToken(tok *token) {
	f, n := strtod(p.cstring(p.pos))
	if n == 0 {
		p.setError(tok, "invalid number")
		return
	}
	tok.kind, tok.num = tNumber, f
	p.pos += n
}

// cstring is the text from i up to a NUL byte.
func (p *parser) cstring(i int) string {
	s := p.data[i:]
	if j := strings.IndexByte(s, 0); j >= 0 {
		s = s[:j]
	}
	return s
}

func (p *parser) stringToken(tok *token) {
	p.pos++ // the opening quote
	start := p.pos
	// Fast path: no escapes.
	for i := p.pos; i < len(p.data); i++ {
		switch p.data[i] {
		case '"':
			tok.kind, tok.str = tString, p.data[start:i]
			p.pos = i + 1
			return
		case '\\', 0:
			i = len(p.data)
		}
	}
	sb := p.sb[:0]
	for {
		ch := p.at(p.pos)
		if ch == '"' {
			break
		}
		if ch == 0 {
			p.setError(tok, "unexpected end of string")
			return
		}
		if ch == '\\' {
			ch = escape2char[p.at(p.pos+1)]
			if ch == 'u' {
				var ok bool
				if sb, ok = p.unicodeEscape(sb); ok {
					continue
				}
				p.setError(tok, "invalid unicode escape code")
				return
			}
			if ch == 0 {
				p.setError(tok, "invalid escape code")
				return
			}
			p.pos++
		}
		sb = append(sb, ch)
		p.pos++
	}
	p.pos++
	p.sb = sb
	tok.kind, tok.str = tString, string(sb)
}

func hex4(s string) int {
	if len(s) < 4 {
		return -1
	}
	v := 0
	for i := 0; i < 4; i++ {
		c := s[i]
		var d int
		switch {
		case '0' <= c && c <= '9':
			d = int(c - '0')
		case 'a' <= c|0x20 && c|0x20 <= 'f':
			d = int(c|0x20-'a') + 10
		default:
			return -1
		}
		v = v<<4 | d
	}
	return v
}

// unicodeEscape decodes \uXXXX (or a surrogate pair) at p.pos to UTF-8.
func (p *parser) unicodeEscape(sb []byte) ([]byte, bool) {
	rest := p.data[p.pos:]
	cp := hex4(rest[2:])
	if cp < 0 {
		return sb, false
	}
	n := 6
	if cp&0xF800 == 0xD800 {
		if cp&0x400 != 0 || len(rest) < 8 || rest[6] != '\\' || rest[7] != 'u' {
			return sb, false
		}
		low := hex4(rest[8:])
		if low < 0 || low&0xFC00 != 0xDC00 {
			return sb, false
		}
		cp = ((cp&0x3FF)<<10 | low&0x3FF) + 0x10000
		n = 12
	}
	sb = utf8.AppendRune(sb, rune(cp))
	p.pos += n
	return sb, true
}

func (p *parser) descend() {
	p.depth++
	if p.depth > p.c.decodeMaxDepth {
		raise(p.L, "Found too many nested data structures (%d) at character %d", p.depth, p.pos)
	}
}

func (p *parser) null() lua.LValue {
	if p.c.decodeNull {
		return p.c.null
	}
	return lua.LNil
}

func (p *parser) value(tok *token) lua.LValue {
	switch tok.kind {
	case tString:
		return lua.LString(tok.str)
	case tNumber:
		return lua.LNumber(tok.num)
	case tBoolean:
		return lua.LBool(tok.b)
	case tObjBegin:
		return p.object()
	case tArrBegin:
		return p.array()
	case tNull:
		return p.null()
	}
	p.fail("value", tok)
	return nil
}

func (p *parser) object() lua.LValue {
	var tok token
	t, empty := p.open(&tok, tObjEnd)
	if empty {
		return t
	}
	for {
		if tok.kind != tString {
			p.fail("object key string", &tok)
		}
		key := tok.str
		p.next(&tok)
		if tok.kind != tColon {
			p.fail("colon", &tok)
		}
		p.next(&tok)
		v := p.value(&tok)
		t.RawSetString(key, v)
		if p.end(&tok, tObjEnd, "comma or object end") {
			return t
		}
	}
}

// open starts a container: a new table, and the first token in it; empty
// when that is the container's end.
func (p *parser) open(tok *token, end int) (*lua.LTable, bool) {
	p.descend()
	t := p.L.NewTable()
	p.next(tok)
	if tok.kind == end {
		p.depth--
		return t, true
	}
	return t, false
}

// end reads the token after a member: the container's end (it returns
// true), or a comma and the token after it.
func (p *parser) end(tok *token, end int, expected string) bool {
	p.next(tok)
	if tok.kind == end {
		p.depth--
		return true
	}
	if tok.kind != tComma {
		p.fail(expected, tok)
	}
	p.next(tok)
	return false
}

func (p *parser) array() lua.LValue {
	var tok token
	t, empty := p.open(&tok, tArrEnd)
	if empty {
		return t
	}
	for i := 1; ; i++ {
		v := p.value(&tok)
		if v != lua.LNil {
			t.RawSetInt(i, v)
		}
		if p.end(&tok, tArrEnd, "comma or array end") {
			return t
		}
	}
}

// strtod parses the longest prefix of s that C's strtod accepts (decimal,
// hexadecimal, inf, infinity, nan) and returns its value and length (0:
// none).
func strtod(s string) (float64, int) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	sign := func(f float64) float64 {
		if neg {
			return -f
		}
		return f
	}
	rest := s[i:]
	switch {
	case hasPrefixFold(rest, "infinity"):
		return sign(math.Inf(1)), i + 8
	case hasPrefixFold(rest, "inf"):
		return sign(math.Inf(1)), i + 3
	case hasPrefixFold(rest, "nan"):
		n := i + 3
		if j := strings.IndexByte(s[n:], ')'); n < len(s) && s[n] == '(' && j > 0 {
			ok := true
			for _, c := range s[n+1 : n+j] {
				if !(c == '_' || '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'z') {
					ok = false
				}
			}
			if ok {
				n += j + 1
			}
		}
		return sign(math.NaN()), n
	case len(rest) > 2 && rest[0] == '0' && rest[1]|0x20 == 'x' && isHexMantissa(rest[2:]):
		return hexFloat(s, i+2, neg)
	}
	start := i
	digits := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return 0, 0
	}
	i = exponent(s, i, 'e')
	f, err := strconv.ParseFloat(s[start:i], 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, 0
		}
	}
	return sign(f), i
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'f' }

func isHexMantissa(s string) bool {
	return len(s) > 0 && (isHex(s[0]) || len(s) > 1 && s[0] == '.' && isHex(s[1]))
}

// hexFloat parses a C99 hexadecimal float whose digits start at s[i].
func hexFloat(s string, i int, neg bool) (float64, int) {
	start := i
	for i < len(s) && isHex(s[i]) {
		i++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isHex(s[i]) {
			i++
		}
	}
	mant := s[start:i]
	exp := "p0"
	if j := exponent(s, i, 'p'); j > i {
		exp, i = s[i:j], j
	}
	f, err := strconv.ParseFloat("0x"+mant+exp, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, 0
		}
	}
	if neg {
		f = -f
	}
	return f, i
}

// exponent is where the exponent (marker, a sign, digits) at s[i] ends, or i
// when there is none.
func exponent(s string, i int, marker byte) int {
	if i >= len(s) || s[i]|0x20 != marker {
		return i
	}
	j := i + 1
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	if j >= len(s) || s[j] < '0' || s[j] > '9' {
		return i
	}
	for j < len(s) && '0' <= s[j] && s[j] <= '9' {
		j++
	}
	return j
}
