package matcher

import "testing"

func TestReadsFields(t *testing.T) {
	tests := []struct {
		expr string
		want bool
	}{
		{"TRUE", false},
		{"Type == 'x' && Severity < 4", false},
		{"Payload =~ /^BENCH-END/", false},
		{"Fields[status] == 500", true},
		{"Type == 'x' || (Logger == 'y' && Fields[a] != NIL)", true},
	}
	for _, tc := range tests {
		if got := MustCompile(tc.expr).ReadsFields(); got != tc.want {
			t.Errorf("%s: ReadsFields() = %v, want %v", tc.expr, got, tc.want)
		}
	}
}
