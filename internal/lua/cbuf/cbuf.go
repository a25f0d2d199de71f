// Package cbuf is the circular_buffer module of hekad's Lua sandboxes: the
// sliding-window time series store of Heka's lua_sandbox
// (mozsvc.circular_buffer), written in Go from its documentation and
// specification.
//
//	data = circular_buffer.new(rows, columns, seconds_per_row [, enable_delta])
//	data:set_header(column, name [, unit [, aggregation]])  -- sum|min|max|none
//	data:add(ns, column, value) / data:set(ns, column, value) / data:get(ns, column)
//	data:compute("sum"|"avg"|"sd"|"min"|"max"|"variance", column [, start_ns, end_ns])
//	data:get_range(column [, start_ns, end_ns]); data:mannwhitneyu(column, s1, e1, s2, e2 [, use_continuity])
//	data:current_time(); data:get_configuration(); data:get_header(column)
//	add_to_payload(data:format("cbuf"|"cbufd"))
//
// A buffer is a userdata whose value is a *Buffer: add_to_payload writes it
// in Heka's text formats (sandbox.Outputter), preserve_data saves it as the
// Lua statements Heka's sandbox wrote (sandbox.Preserver: new, set_header
// and fromstring), and the memory estimate charges its values
// (sandbox.Sizer).
//
// Differences from Heka: the delta rows of "cbufd" are kept in Go (Heka
// kept them in a Lua table) and written in ascending time order (Heka wrote
// them in its hash order); the module is not a Lua table named
// circular_buffer that scripts could change.
package cbuf

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/hekad-go/hekad/internal/lua/sandbox"
)

// Name is the module's name (and global).
const Name = "circular_buffer"

// Version is what circular_buffer.version() returns.
const Version = "1.0.0"

// typeName names the buffers' metatable in the registry.
const typeName = "mozsvc.circular_buffer"

// Column name and unit sizes of Heka's header (with the C string's NUL).
const (
	nameSize = 16
	unitSize = 8
)

var aggregations = []string{"sum", "min", "max", "none"}

const (
	aggSum = iota
	aggMin
	aggMax
	aggNone
)

type header struct {
	name, unit  string
	aggregation int
}

// Buffer is one circular buffer.
type Buffer struct {
	currentTime   int64 // seconds: the time of the newest row
	secondsPerRow int64
	currentRow    int
	rows, columns int
	values        []float64 // rows × columns
	headers       []header
	delta         bool
	cbufd         bool                // output format
	deltas        map[int64]*deltaRow // row time -> column deltas
}

// deltaRow is the changes of one row since the last cbufd output; a column
// without a change is written as nan (and preserved as 0, as Heka did).
type deltaRow struct {
	v   []float64
	set []bool
}

// New makes a buffer as circular_buffer.new does (arguments already checked).
func New(rows, columns int, secondsPerRow int64, delta bool) *Buffer {
	b := &Buffer{rows: rows, columns: columns, secondsPerRow: secondsPerRow, delta: delta,
		currentTime: secondsPerRow * int64(rows-1), currentRow: rows - 1,
		values: make([]float64, rows*columns), headers: make([]header, columns)}
	for i := range b.values {
		b.values[i] = math.NaN()
	}
	for i := range b.headers {
		b.headers[i] = header{name: "Column_" + strconv.Itoa(i+1), unit: "count"}
	}
	return b
}

func (b *Buffer) startTime() int64 {
	return b.currentTime - b.secondsPerRow*int64(b.rows-1)
}

// clearRows sets to NaN the n rows after the current one (all of them when
// n >= rows).
func (b *Buffer) clearRows(n int) {
	n = min(n, b.rows)
	row := b.currentRow
	for range n {
		row++
		if row >= b.rows {
			row = 0
		}
		r := b.values[row*b.columns : (row+1)*b.columns]
		for i := range r {
			r[i] = math.NaN()
		}
	}
}

// rowTime is the time in seconds of the row holding ns, as Heka computes it.
func (b *Buffer) rowTime(ns float64) int64 {
	t := int64(ns / 1e9)
	return t - t%b.secondsPerRow
}

// row is the index of the row holding time ns, or -1 when it is outside the
// buffer; with advance, a time after the newest row moves the buffer forward
// (clearing the rows it passes).
func (b *Buffer) row(ns float64, advance bool) int {
	t := b.rowTime(ns)
	current := int32(b.currentTime / b.secondsPerRow)
	requested := int32(t / b.secondsPerRow)
	delta := int(requested) - int(current)
	row := int(requested) % b.rows
	if delta > 0 && advance {
		b.clearRows(delta)
		b.currentTime = t
		b.currentRow = row
	} else if requested > current || delta <= -b.rows || delta >= b.rows {
		return -1
	}
	if row < 0 {
		return -1
	}
	return row
}

// addDelta adds v to the delta of column at the row of ns.
func (b *Buffer) addDelta(ns float64, column int, v float64) {
	t := b.rowTime(ns)
	if b.deltas == nil {
		b.deltas = map[int64]*deltaRow{}
	}
	d, ok := b.deltas[t]
	if !ok {
		d = &deltaRow{v: make([]float64, b.columns), set: make([]bool, b.columns)}
		b.deltas[t] = d
	}
	d.v[column] += v
	d.set[column] = true
}

// Add adds v to a cell; ok is false when ns is outside the buffer.
func (b *Buffer) Add(ns float64, column int, v float64) (float64, bool) {
	row := b.row(ns, true)
	if row < 0 {
		return 0, false
	}
	i := row*b.columns + column
	if math.IsNaN(b.values[i]) {
		b.values[i] = v
	} else {
		b.values[i] += v
	}
	if b.delta && v != 0 {
		if b.headers[column].aggregation != aggSum {
			v = b.values[i]
		}
		b.addDelta(ns, column, v)
	}
	return b.values[i], true
}

// Set sets a cell (min and max columns keep the smaller or larger value).
func (b *Buffer) Set(ns float64, column int, v float64) (float64, bool) {
	row := b.row(ns, true)
	if row < 0 {
		return 0, false
	}
	i := row*b.columns + column
	old := b.values[i]
	switch b.headers[column].aggregation {
	case aggMin, aggMax:
		if math.IsNaN(old) || (b.headers[column].aggregation == aggMin && v < old) ||
			(b.headers[column].aggregation == aggMax && v > old) {
			b.values[i] = v
			if b.delta {
				b.addDelta(ns, column, v)
			}
		}
	default:
		b.values[i] = v
		if b.delta {
			if !math.IsNaN(old) && !math.IsInf(old, 0) {
				v -= old
			}
			b.addDelta(ns, column, v)
		}
	}
	return b.values[i], true
}

// Get reads a cell.
func (b *Buffer) Get(ns float64, column int) (float64, bool) {
	row := b.row(ns, false)
	if row < 0 {
		return 0, false
	}
	return b.values[row*b.columns+column], true
}

// column returns the values of column from row start to row end
// (inclusive, wrapping).
func (b *Buffer) column(column, start, end int, dst []float64) []float64 {
	row := start
	for {
		if row == b.rows {
			row = 0
		}
		dst = append(dst, b.values[row*b.columns+column])
		if row == end {
			return dst
		}
		row++
	}
}

// Compute applies function (sum, avg, sd, min, max, variance) to column
// over rows start to end, with Heka's results: NaN cells are skipped, avg
// of no value is NaN, min and max of no value are NaN (max also when every
// value is below DBL_MIN, as in Heka).
func (b *Buffer) Compute(function string, column, start, end int) (float64, int) {
	vals := b.column(column, start, end, nil)
	n := 0
	switch function {
	case "sum":
		sum := 0.0
		for _, v := range vals {
			if !math.IsNaN(v) {
				sum += v
				n++
			}
		}
		return sum, n
	case "avg":
		return average(vals)
	case "sd", "variance":
		avg, n := average(vals)
		if math.IsNaN(avg) {
			return avg, n
		}
		sq := 0.0
		for _, v := range vals {
			if !math.IsNaN(v) {
				sq += (v - avg) * (v - avg)
			}
		}
		variance := sq / float64(n)
		if function == "sd" {
			return math.Sqrt(variance), n
		}
		return variance, n
	case "min", "max":
		result := math.MaxFloat64
		if function == "max" {
			result = math.SmallestNonzeroFloat64 * (1 << 52) // DBL_MIN
		}
		initial := result
		for _, v := range vals {
			if math.IsNaN(v) {
				continue
			}
			n++
			if (function == "min" && v < result) || (function == "max" && v > result) {
				result = v
			}
		}
		if result == initial {
			result = math.NaN()
		}
		return result, n
	}
	return 0, 0
}

func average(vals []float64) (float64, int) {
	sum, n := 0.0, 0
	for _, v := range vals {
		if !math.IsNaN(v) {
			sum += v
			n++
		}
	}
	return sum / float64(n), n
}

// MannWhitneyU is the Mann-Whitney rank test of column over rows s1..e1
// (n1 values) against s2..e2 (n2 values): U1 and the one-sided p-value of
// the normal approximation, with the tie correction; ok is false when all
// values are tied.
func (b *Buffer) MannWhitneyU(column, s1, e1, s2, e2, n1, n2 int, continuity bool) (u1, p float64, ok bool) {
	ranked := b.column(column, s1, e1, make([]float64, 0, n1+n2))
	ranked = ranked[:min(len(ranked), n1)]
	for len(ranked) < n1 {
		ranked = append(ranked, math.NaN())
	}
	ranked = b.column(column, s2, e2, ranked)
	ranked = ranked[:min(len(ranked), n1+n2)]
	for len(ranked) < n1+n2 {
		ranked = append(ranked, math.NaN())
	}
	size := len(ranked)
	order := make([]int, size)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, c int) int {
		x, y := ranked[a], ranked[c]
		switch {
		case math.IsNaN(x) && math.IsNaN(y):
			return 0
		case math.IsNaN(x):
			return -1
		case math.IsNaN(y):
			return 1
		case x < y:
			return -1
		case x == y:
			return 0
		}
		return 1
	})
	// Rank the sorted values (ties share their mean rank; NaNs tie with
	// each other and come first).
	sorted := make([]float64, size)
	for i, j := range order {
		sorted[i] = ranked[j]
	}
	ranks := make([]float64, size)
	dupes, tie := 0, 0.0
	for i := 0; i < size; i++ {
		next := i + 1
		if i == size-1 || (!(math.IsNaN(sorted[i]) && math.IsNaN(sorted[next])) && sorted[i] != sorted[next]) {
			if dupes > 0 {
				r := float64(next) - 0.5*float64(dupes)
				for j := i - dupes; j < next; j++ {
					ranks[j] = r
				}
				dupes++
				tie += math.Pow(float64(dupes), 3) - float64(dupes)
				dupes = 0
			} else {
				ranks[i] = float64(next)
			}
		} else {
			dupes++
		}
	}
	tie = 1 - tie/(math.Pow(float64(size), 3)-float64(size))
	if tie == 0 {
		return 0, 0, false
	}
	for i, j := range order {
		ranked[j] = ranks[i]
	}
	sum := 0.0
	for _, r := range ranked[:n1] {
		sum += r
	}
	fn1, fn2 := float64(n1), float64(n2)
	u1 = sum - fn1*(fn1+1)/2
	u2 := fn1*fn2 - u1
	lu := max(u1, u2)
	sd := math.Sqrt(tie * fn1 * fn2 * (fn1 + fn2 + 1) / 12)
	var z float64
	if continuity {
		z = math.Abs((lu - 0.5 - fn1*fn2/2) / sd)
	} else {
		z = math.Abs((lu - fn1*fn2/2) / sd)
	}
	return u1, 0.5 * math.Erfc(z/math.Sqrt2), true
}

// SetHeader sets a column's header as Heka does: the name cut to 15 bytes
// with every non-alphanumeric byte made '_', the unit cut to 7 bytes
// keeping alphanumerics, '/' and '*'.
func (b *Buffer) SetHeader(column int, name, unit string, aggregation int) {
	b.headers[column] = header{name: clean(name, nameSize-1, ""), unit: clean(unit, unitSize-1, "/*"), aggregation: aggregation}
}

func clean(s string, n int, keep string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	if len(s) > n {
		s = s[:n]
	}
	out := []byte(s)
	for i, c := range out {
		if !('0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'z' || strings.IndexByte(keep, c) >= 0) {
			out[i] = '_'
		}
	}
	return string(out)
}

// MemSize is what the buffer holds, for the sandbox's memory estimate.
func (b *Buffer) MemSize() int {
	return 64 + len(b.values)*8 + len(b.headers)*28 + len(b.deltas)*(40+b.columns*9)
}

// AppendOutput writes the buffer in Heka's format of its output format:
// "cbuf", a JSON header line and then one line per row, oldest first, with
// tab-separated values; "cbufd", the header and one line per changed row
// (its time in seconds, then the column deltas, nan where a column did not
// change), after which the deltas are cleared. A "cbufd" buffer without
// changes writes nothing.
func (b *Buffer) AppendOutput(dst []byte) ([]byte, error) {
	if b.cbufd && len(b.deltas) == 0 {
		return dst, nil
	}
	dst = fmt.Appendf(dst, `{"time":%d,"rows":%d,"columns":%d,"seconds_per_row":%d,"column_info":[`,
		b.startTime(), b.rows, b.columns, b.secondsPerRow)
	for i, h := range b.headers {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = fmt.Appendf(dst, `{"name":"%s","unit":"%s","aggregation":"%s"}`, h.name, h.unit, aggregations[h.aggregation])
	}
	dst = append(dst, "]}\n"...)
	if b.cbufd {
		for _, t := range b.deltaTimes() {
			dst = sandbox.AppendPayloadNumber(dst, float64(t))
			d := b.deltas[t]
			for c, v := range d.v {
				if !d.set[c] {
					v = math.NaN()
				}
				dst = append(dst, '\t')
				dst = sandbox.AppendPayloadNumber(dst, v)
			}
			dst = append(dst, '\n')
		}
		b.deltas = nil
		return dst, nil
	}
	row := b.currentRow
	for range b.rows {
		row++
		if row >= b.rows {
			row = 0
		}
		for c := range b.columns {
			if c > 0 {
				dst = append(dst, '\t')
			}
			dst = sandbox.AppendPayloadNumber(dst, b.values[row*b.columns+c])
		}
		dst = append(dst, '\n')
	}
	return dst, nil
}

func (b *Buffer) deltaTimes() []int64 {
	times := make([]int64, 0, len(b.deltas))
	for t := range b.deltas {
		times = append(times, t)
	}
	slices.Sort(times)
	return times
}

// PreserveTo writes the Lua statements that rebuild the buffer at path, in
// the form of Heka's sandbox: new (when the script did not make it), the
// headers, and fromstring with the current time and row, the values row by
// row, and the pending deltas (which are then cleared, as in Heka).
func (b *Buffer) PreserveTo(w io.Writer, path string) error {
	delta := ""
	if b.delta {
		delta = ", true"
	}
	var out []byte
	out = fmt.Appendf(out, "if %s == nil then %s = circular_buffer.new(%d, %d, %d%s) end\n",
		path, path, b.rows, b.columns, b.secondsPerRow, delta)
	for i, h := range b.headers {
		out = fmt.Appendf(out, "%s:set_header(%d, \"%s\", \"%s\", \"%s\")\n", path, i+1, h.name, h.unit, aggregations[h.aggregation])
	}
	out = fmt.Appendf(out, "%s:fromstring(\"%d %d", path, b.currentTime, b.currentRow)
	for _, v := range b.values {
		out = append(out, ' ')
		out = sandbox.AppendPayloadNumber(out, v)
	}
	for _, t := range b.deltaTimes() {
		out = append(out, ' ')
		out = sandbox.AppendPayloadNumber(out, float64(t))
		for _, v := range b.deltas[t].v { // a missing delta is 0, as Heka wrote it
			out = append(out, ' ')
			out = sandbox.AppendPayloadNumber(out, v)
		}
	}
	b.deltas = nil
	out = append(out, "\")\n"...)
	_, err := w.Write(out)
	return err
}

// FromString restores the current time, row and values (and deltas) that
// PreserveTo wrote.
func (b *Buffer) FromString(s string) error {
	r := reader{s: s}
	t, _ := r.integer()
	row, _ := r.integer()
	b.currentTime, b.currentRow = t, int(row)
	if b.currentRow < 0 || b.currentRow >= b.rows {
		b.currentRow = 0 // Heka trusted the text; an index out of range is refused here
	}
	n := len(b.values)
	pos := 0
	for pos < n {
		v, ok := r.double()
		if !ok {
			break
		}
		b.values[pos] = v
		pos++
	}
	if pos != n {
		return fmt.Errorf("fromstring() too few values: %d, expected %d", pos, n)
	}
	if b.delta {
		var ns float64
		col := 0
		for {
			v, ok := r.double()
			if !ok {
				break
			}
			if col == 0 {
				ns = v * 1e9
			} else {
				b.addDelta(ns, col-1, v)
			}
			if col == b.columns {
				col = 0
			} else {
				col++
			}
		}
		if col != 0 {
			return fmt.Errorf("fromstring() invalid delta")
		}
	}
	if _, ok := r.double(); ok {
		return fmt.Errorf("fromstring() too many values, more than: %d", n)
	}
	return nil
}

// reader reads numbers as strtoll and strtod do.
type reader struct {
	s   string
	pos int
}

func (r *reader) skipSpace() {
	for r.pos < len(r.s) && (r.s[r.pos] == ' ' || r.s[r.pos] >= '\t' && r.s[r.pos] <= '\r') {
		r.pos++
	}
}

func (r *reader) integer() (int64, bool) {
	r.skipSpace()
	start := r.pos
	if r.pos < len(r.s) && (r.s[r.pos] == '-' || r.s[r.pos] == '+') {
		r.pos++
	}
	for r.pos < len(r.s) && '0' <= r.s[r.pos] && r.s[r.pos] <= '9' {
		r.pos++
	}
	v, err := strconv.ParseInt(r.s[start:r.pos], 10, 64)
	if err != nil {
		r.pos = start
		return 0, false
	}
	return v, true
}

func (r *reader) double() (float64, bool) {
	r.skipSpace()
	if r.pos >= len(r.s) {
		return 0, false
	}
	end := r.pos
	for end < len(r.s) && !(r.s[end] == ' ' || r.s[end] >= '\t' && r.s[end] <= '\r') {
		end++
	}
	word := r.s[r.pos:end]
	r.pos = end
	switch strings.ToLower(word) {
	case "nan", "-nan":
		return math.NaN(), true
	case "inf", "infinity":
		return math.Inf(1), true
	case "-inf", "-infinity":
		return math.Inf(-1), true
	}
	v, err := strconv.ParseFloat(word, 64)
	if err != nil {
		return 0, true // strtod of a bad word is 0
	}
	return v, true
}
