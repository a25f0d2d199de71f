package pipeline

import "testing"

// TestShared: holders of one key share one value, other Shareds never; a
// value is dropped once the last holder released it (twice is once).
func TestShared(t *testing.T) {
	s1, s2 := NewShared(), NewShared()
	made := 0
	mk := func() any { made++; return new(int) }
	a, ra := s1.Acquire("k", mk)
	b, rb := s2.Acquire("k", mk)
	c, rc := s1.Acquire("k", mk)
	if a == b || a != c || made != 2 {
		t.Fatalf("a %p b %p c %p, made %d", a, b, c, made)
	}
	ra()
	ra()
	if d, rd := s1.Acquire("k", mk); d != c {
		t.Error("value dropped while held")
	} else {
		rd()
	}
	rc()
	rb()
	if s1.Len() != 0 || s2.Len() != 0 {
		t.Errorf("values left: %d, %d", s1.Len(), s2.Len())
	}
	if e, re := s1.Acquire("k", mk); e == a {
		t.Error("a released value came back")
	} else {
		re()
	}
}
