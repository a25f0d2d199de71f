package statsd

import (
	"bytes"
	"errors"
	"testing"
)

func TestParseLine(t *testing.T) {
	tests := []struct {
		line string
		want Stat
		err  error
	}{
		{"a:1|c", Stat{Bucket: []byte("a"), Value: 1, Kind: Counter, SampleRate: 1}, nil},
		{"a.b-c_d:2.5|c|@0.1", Stat{Bucket: []byte("a.b-c_d"), Value: 2.5, Kind: Counter, SampleRate: 0.1}, nil},
		{"t:320|ms", Stat{Bucket: []byte("t"), Value: 320, Kind: Timer, SampleRate: 1}, nil},
		{"t:320|ms|@0.5", Stat{Bucket: []byte("t"), Value: 320, Kind: Timer, SampleRate: 0.5}, nil},
		{"h:-3|h", Stat{Bucket: []byte("h"), Value: -3, Kind: Counter, SampleRate: 1}, nil},
		{"g:333|g", Stat{Bucket: []byte("g"), Value: 333, Kind: Gauge, SampleRate: 1}, nil},
		{"g:-10|g", Stat{Bucket: []byte("g"), Value: -10, Kind: Gauge, SampleRate: 1, Delta: true}, nil},
		{"g:+4|g", Stat{Bucket: []byte("g"), Value: 4, Kind: Gauge, SampleRate: 1, Delta: true}, nil},
		{"a:1|c|#env:prod,x", Stat{Bucket: []byte("a"), Value: 1, Kind: Counter, SampleRate: 1}, nil},
		{"a:1|c|#env:prod|@0.5", Stat{Bucket: []byte("a"), Value: 1, Kind: Counter, SampleRate: 0.5}, nil},
		{"a", Stat{}, errNoColon},
		{":1|c", Stat{}, errBucket},
		{"a b:1|c", Stat{}, errBucket},
		{"a:1", Stat{}, errNoType},
		{"a:1|", Stat{}, errType},
		{"a:1|cx", Stat{}, errType},
		{"a:1|s", Stat{}, errType},
		{"a:x|c", Stat{}, errValue},
		{"a:|c", Stat{}, errValue},
		{"a:NaN|g", Stat{}, errValue},
		{"a:Inf|ms", Stat{}, errValue},
		{"a:1|c|@0", Stat{}, errRate},
		{"a:1|c|@-1", Stat{}, errRate},
		{"a:1|c|@x", Stat{}, errRate},
		{"a:1e300|c", Stat{}, errValue},
		{"a:1e30|c|@0.0001", Stat{}, errOverflow},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			got, err := ParseLine([]byte(tc.line))
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			if !bytes.Equal(got.Bucket, tc.want.Bucket) || got.Value != tc.want.Value || got.Kind != tc.want.Kind ||
				got.SampleRate != tc.want.SampleRate || got.Delta != tc.want.Delta {
				t.Errorf("got %+v (bucket %q), want %+v", got, got.Bucket, tc.want)
			}
		})
	}
}

func TestParseDatagram(t *testing.T) {
	data := []byte("a:1|c\n\n  b:2|ms \r\nbad\nc:3|g\nd:1|x\n")
	stats, bad := ParseDatagram(data, nil, nil)
	var names []string
	for _, s := range stats {
		names = append(names, string(s.Bucket))
	}
	if got := len(stats); got != 3 || names[0] != "a" || names[1] != "b" || names[2] != "c" {
		t.Errorf("stats %v, want a b c", names)
	}
	if len(bad) != 2 || string(bad[0].Line) != "bad" || string(bad[1].Line) != "d:1|x" {
		t.Errorf("bad = %q", bad)
	}
}

// TestCounterIncrement pins Heka's float32 arithmetic.
func TestCounterIncrement(t *testing.T) {
	tests := []struct {
		line string
		want int64
	}{
		{"a:1|c", 1},
		{"a:1|c|@0.1", 10},
		{"a:1|c|@0.3", 3},
		{"a:0.5|c", 0},
		{"a:2.9|c", 2},
		{"a:-2.9|c", -2},
		{"a:3|c|@0.5", 6},
	}
	for _, tc := range tests {
		s, err := ParseLine([]byte(tc.line))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := counterIncrement(s); got != tc.want {
			t.Errorf("%s adds %d, want %d", tc.line, got, tc.want)
		}
	}
}

func TestParseDatagramAllocs(t *testing.T) {
	data := []byte("api.requests:1|c\napi.latency:12.5|ms|@0.5\nqueue.depth:+3|g\n")
	stats := make([]Stat, 0, 8)
	if n := testing.AllocsPerRun(100, func() { stats, _ = ParseDatagram(data, stats[:0], nil) }); n != 0 {
		t.Errorf("%v allocations per datagram, want 0", n)
	}
}

// FuzzParseDatagram: no panic, every non-blank line is either a stat or a
// malformed line, and a stat's line parses again to the same stat.
func FuzzParseDatagram(f *testing.F) {
	for _, s := range []string{"a:1|c", "a:1|c|@0.1\nb:2|ms", "g:-1|g\n\n", "x", "a:1|c|#t:v|@0.5", ":|", "a:1e400|c"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		stats, bad := ParseDatagram(data, nil, nil)
		lines := 0
		for _, l := range bytes.Split(data, []byte("\n")) {
			if len(bytes.Trim(l, " \t\r")) > 0 {
				lines++
			}
		}
		if len(stats)+len(bad) != lines {
			t.Fatalf("%d stats + %d bad for %d lines", len(stats), len(bad), lines)
		}
		for _, s := range stats {
			if len(s.Bucket) == 0 || s.SampleRate <= 0 {
				t.Fatalf("bad stat %+v", s)
			}
		}
		a := NewAccumulator()
		a.Add(stats...)
		a.take(true, nil)
	})
}

func BenchmarkParseDatagram(b *testing.B) {
	var buf bytes.Buffer
	for buf.Len() < 1400 {
		buf.WriteString("service.api.requests:1|c|@0.5\nservice.api.latency:12.25|ms\nservice.queue.depth:+3|g\n")
	}
	data := buf.Bytes()
	lines := bytes.Count(data, []byte("\n"))
	stats := make([]Stat, 0, 64)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		stats, _ = ParseDatagram(data, stats[:0], nil)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lines), "ns/line")
}

// BenchmarkParseAndAdd is what StatsdInput does per datagram once read.
func BenchmarkParseAndAdd(b *testing.B) {
	var buf bytes.Buffer
	for i := 0; buf.Len() < 1400; i++ {
		buf.WriteString("service.api.requests." + string(rune('a'+i%20)) + ":1|c\nservice.api.latency:12.25|ms\nservice.queue.depth:+3|g\n")
	}
	data := buf.Bytes()
	lines := bytes.Count(data, []byte("\n"))
	a := NewAccumulator()
	stats := make([]Stat, 0, 64)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		stats, _ = ParseDatagram(data, stats[:0], nil)
		a.Add(stats...)
		if i%1000 == 999 {
			a.take(false, nil) // keep the timings bounded, as a flush does
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lines), "ns/line")
}
