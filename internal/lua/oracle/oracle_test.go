package oracle

import "testing"

func TestRun(t *testing.T) {
	tests := []struct {
		name   string
		script string
		want   string
		ok     bool
	}{
		{"print", "print(1/3, 2^53, 'x' .. 1e15)", "0.33333333333333\t9.007199254741e+15\tx1e+15\n", true},
		{"lpeg", "local l = require 'lpeg' print(l.match(l.C(l.R'az'^1), 'abc1'))", "abc\n", true},
		{"error", "error('boom')", "", false},
		{"utc", "print(os.date('%H', 0))", "00\n", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := MustRun(t, tc.script)
			if res.Stdout != tc.want || res.OK != tc.ok {
				t.Errorf("got stdout %q ok %v (stderr %q), want %q ok %v", res.Stdout, res.OK, res.Stderr, tc.want, tc.ok)
			}
		})
	}
}
