package config

import "testing"

func TestBindingOverlaps(t *testing.T) {
	tests := []struct {
		an, aa, bn, ba string
		want           bool
	}{
		{"tcp", "127.0.0.1:5565", "tcp", "127.0.0.1:5565", true},
		{"tcp", "127.0.0.1:5565", "tcp", "127.0.0.1:5566", false},
		{"tcp", "127.0.0.1:5565", "udp", "127.0.0.1:5565", false},
		{"tcp", "127.0.0.1:5565", "tcp", "127.0.0.2:5565", false},
		{"tcp", ":5565", "tcp", "127.0.0.1:5565", true},
		{"tcp", "0.0.0.0:5565", "tcp", "127.0.0.1:5565", true},
		{"tcp", "0.0.0.0:5565", "tcp", "[::1]:5565", true}, // Go's dual-stack wildcard
		{"tcp", "[::]:5565", "tcp4", "10.0.0.1:5565", true},
		{"tcp4", "0.0.0.0:5565", "tcp6", "[::]:5565", false},
		{"tcp4", ":5565", "tcp", "[::1]:5565", false},
		{"tcp6", ":5565", "tcp", "127.0.0.1:5565", false},
		{"tcp", "[::ffff:127.0.0.1]:5565", "tcp4", "127.0.0.1:5565", true},
		{"tcp", "localhost:5565", "tcp", "localhost:5565", true},
		{"tcp", "localhost:5565", "tcp", "LOCALHOST:5565", true},
		{"tcp", "localhost:5565", "tcp", ":5565", true},
		{"tcp", "localhost:5565", "tcp", "10.0.0.1:5565", false},
		{"tcp", "127.0.0.1:0", "tcp", "127.0.0.1:0", false}, // the kernel picks two ports
		{"udp", "127.0.0.1:8125", "udp", "0.0.0.0:8125", true},
		{"udp4", "127.0.0.1:8125", "udp6", "[::]:8125", false},
		{"unix", "/run/h.sock", "unix", "/run/./h.sock", true},
		{"unix", "/run/h.sock", "unixgram", "/run/h.sock", true},
		{"unix", "/run/h.sock", "unix", "/run/g.sock", false},
		{"unixgram", "@h", "unixgram", "@h", true},
		{"udp", "fd:3", "udp", "fd:3", false},
		{"tcp", "127.0.0.1:http", "tcp", "127.0.0.1:80", true},
	}
	for _, tc := range tests {
		a, aok := newBinding(tc.an, tc.aa)
		b, bok := newBinding(tc.bn, tc.ba)
		got := aok && bok && a.overlaps(b)
		if got != tc.want {
			t.Errorf("%s %s vs %s %s: overlap %v, want %v", tc.an, tc.aa, tc.bn, tc.ba, got, tc.want)
		}
		if got2 := aok && bok && b.overlaps(a); got2 != got {
			t.Errorf("%s %s vs %s %s: not symmetric", tc.an, tc.aa, tc.bn, tc.ba)
		}
	}
}
