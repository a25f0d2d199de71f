package pipeline

import "testing"

// TestUnitsRefuseNegatives: Seconds and Millis take non-negative TOML
// integers only, naming what was given (a negative number used to wrap to
// a huge unsigned one).
func TestUnitsRefuseNegatives(t *testing.T) {
	tests := []struct {
		in      any
		want    uint64
		wantErr string
	}{
		{int64(5), 5, ""},
		{int64(0), 0, ""},
		{int64(-3), 0, "must not be negative, got -3"},
		{"often", 0, `want an integer number of seconds, got "often"`},
	}
	for _, tc := range tests {
		var s Seconds
		err := s.UnmarshalTOML(tc.in)
		if got := errString(err); got != tc.wantErr || uint64(s) != tc.want {
			t.Errorf("Seconds(%#v) = %d, %q; want %d, %q", tc.in, s, got, tc.want, tc.wantErr)
		}
		var m Millis
		if err := m.UnmarshalTOML(tc.in); (err == nil) != (tc.wantErr == "") || uint64(m) != tc.want {
			t.Errorf("Millis(%#v) = %d, %v", tc.in, m, err)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
