package strftime

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestStrftime(t *testing.T) {
	cest := time.FixedZone("CEST", 2*3600)
	nst := time.FixedZone("NST", -(3*3600 + 30*60))
	// Tuesday 3 May 2016, 14:04:05.006007008 CEST.
	tm := time.Date(2016, 5, 3, 14, 4, 5, 6007008, cest)
	tests := []struct {
		format string
		t      time.Time
		want   string
	}{
		{"[%Y/%b/%d:%H:%M:%S %z]", tm, "[2016/May/03:14:04:05 +0200]"},
		{"%a %A %b %B %h", tm, "Tue Tuesday May May May"},
		{"%c", tm, "Tue May  3 14:04:05 2016"},
		{"%C %y %Y", tm, "20 16 2016"},
		{"%d|%e|%j", tm, "03| 3|124"},
		{"%D %x %F", tm, "05/03/16 05/03/16 2016-05-03"},
		{"%H %k %I %l %p %P", tm, "14 14 02  2 PM pm"},
		{"%H %k %I %l %p %P", tm.Add(-14 * time.Hour), "00  0 12 12 AM am"},
		{"%f %L %N", tm, "006007 006 006007008"},
		{"%m %M %S", tm, "05 04 05"},
		{"%r|%R|%T|%X", tm, "02:04:05 PM|14:04|14:04:05|14:04:05"},
		{"%s", tm, "1462277045"},
		{"%u %w", tm, "2 2"},
		{"%u %w", tm.AddDate(0, 0, 5), "7 0"},
		{"%v", tm, " 3-May-2016"},
		{"%z %Z", tm, "+0200 CEST"},
		{"%z %Z", tm.In(nst), "-0330 NST"},
		{"%z %Z", tm.UTC(), "+0000 UTC"},
		{"a%nb%tc", tm, "a\nb\tc"},
		{"100%% %q %é %", tm, "100% %q %é %"},
		{"", tm, ""},
		{"no conversions", tm, "no conversions"},
	}
	for _, tc := range tests {
		t.Run(tc.format, func(t *testing.T) {
			f := Parse(tc.format)
			if got := string(f.AppendTo(nil, tc.t)); got != tc.want {
				t.Errorf("%q: got %q, want %q", tc.format, got, tc.want)
			}
		})
	}
}

func FuzzStrftime(f *testing.F) {
	f.Add("[%Y/%b/%d:%H:%M:%S %z]", int64(1462277045006007008), int32(7200))
	f.Add("%c %r %v %%%", int64(-1), int32(-12600))
	f.Add("%", int64(0), int32(0))
	f.Fuzz(func(t *testing.T, format string, ns int64, offset int32) {
		tm := time.Unix(0, ns).In(time.FixedZone("Z", int(offset%(24*3600))))
		sf := Parse(format)
		prefix := []byte("prefix")
		out := sf.AppendTo(prefix, tm)
		if !bytes.HasPrefix(out, []byte("prefix")) {
			t.Fatalf("appendTo changed the bytes before it")
		}
		if !strings.Contains(format, "%") && string(out[len("prefix"):]) != format {
			t.Fatalf("format without conversions %q became %q", format, out[len("prefix"):])
		}
		if again := sf.AppendTo(nil, tm); !bytes.Equal(again, out[len("prefix"):]) {
			t.Fatalf("not deterministic: %q vs %q", again, out[len("prefix"):])
		}
	})
}
