package message

import "testing"

func TestAckFrame(t *testing.T) {
	tests := []struct {
		frame []byte
		off   int64
		ok    bool
	}{
		{AppendAckFrame(nil, 0), 0, true},
		{AppendAckFrame(nil, 1<<40+5), 1<<40 + 5, true},
		{[]byte("B\x00\x00\x00\x00\x00\x00\x00\x01"), 0, false},
		{[]byte("A\x00"), 0, false},
	}
	for _, tc := range tests {
		off, ok := ParseAckFrame(tc.frame)
		if off != tc.off || ok != tc.ok {
			t.Errorf("ParseAckFrame(%q) = %d, %v; want %d, %v", tc.frame, off, ok, tc.off, tc.ok)
		}
	}
	if got := AppendAckFrame(nil, 258); string(got) != "A\x00\x00\x00\x00\x00\x00\x01\x02" {
		t.Errorf("AppendAckFrame(258) = %q", got)
	}
}
