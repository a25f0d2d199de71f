package config

import (
	"errors"
	"strings"
	"testing"
)

func TestSubstituteEnv(t *testing.T) {
	env := map[string]string{"HOST": "10.0.0.1", "PORT": "5565", "": "empty-name", "LOOP": "%ENV[HOST]"}
	getenv := func(name string) string { return env[name] }
	tests := []struct {
		name, in, want string
		wantErr        error
		wantMsg        string
	}{
		{name: "none", in: "a = 1\n", want: "a = 1\n"},
		{name: "value", in: `address = "%ENV[HOST]:%ENV[PORT]"`, want: `address = "10.0.0.1:5565"`},
		{name: "section name", in: "[in_%ENV[PORT]]\n", want: "[in_5565]\n"},
		{name: "unset is empty", in: "x%ENV[NOPE]y", want: "xy"},
		{name: "empty name", in: "%ENV[]", want: "empty-name"},
		{name: "lone percent", in: "100% sure", want: "100% sure"},
		{name: "percent before env", in: "%%ENV[PORT]", want: "%5565"},
		{name: "trailing percent", in: "50%", want: "50%"},
		{name: "partial prefix at end", in: "x %EN", want: "x %EN"},
		{name: "lower case is literal", in: "%env[HOST]", want: "%env[HOST]"},
		{name: "value not rescanned", in: "%ENV[LOOP]", want: "%ENV[HOST]"},
		{name: "in a comment", in: "# %ENV[PORT]\n", want: "# 5565\n"},
		{name: "missing bracket", in: "a\nb = \"%ENV[HOST\"\n", wantErr: ErrMissingCloseDelim,
			wantMsg: `f.toml:2: %ENV[ missing closing delimiter "]"`},
		{name: "missing bracket at end", in: "%ENV[", wantErr: ErrMissingCloseDelim},
		{name: "space", in: "%ENV[A B]", wantErr: ErrInvalidEnvName,
			wantMsg: "f.toml:1: invalid characters in environment variable name: %ENV[A B]"},
		{name: "tab", in: "%ENV[A\tB]", wantErr: ErrInvalidEnvName},
		{name: "carriage return", in: "%ENV[A\rB]", wantErr: ErrInvalidEnvName},
		{name: "newline is reported on the opening line", in: "x\n%ENV[A\nB]", wantErr: ErrInvalidEnvName,
			wantMsg: `f.toml:2: invalid characters in environment variable name: %ENV[A\nB]`},
		{name: "nested", in: "%ENV[A%ENV[B]]", wantErr: ErrInvalidEnvName},
		{name: "all errors", in: "%ENV[A B]\n%ENV[C D]\n%ENV[E", wantErr: ErrMissingCloseDelim,
			wantMsg: "f.toml:1: invalid characters in environment variable name: %ENV[A B]\n" +
				"f.toml:2: invalid characters in environment variable name: %ENV[C D]\n" +
				`f.toml:3: %ENV[ missing closing delimiter "]"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SubstituteEnv("f.toml", []byte(tc.in), getenv)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if got != nil {
					t.Errorf("output %q returned with an error", got)
				}
				if tc.wantMsg != "" && err.Error() != tc.wantMsg {
					t.Errorf("err =\n%s\nwant\n%s", err, tc.wantMsg)
				}
				var ce *Error
				if !errors.As(err, &ce) || ce.File != "f.toml" || ce.Line == 0 {
					t.Errorf("err %v does not carry file and line", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzSubstituteEnv(f *testing.F) {
	for _, s := range []string{"", "a = 1", "%ENV[A]", "%%ENV[A]%", "%ENV[A B]", "%ENV[", "x%ENV[A%ENV[B]]", "%EN", "%ENV[]]"} {
		f.Add([]byte(s))
	}
	getenv := func(name string) string { return "v" }
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := SubstituteEnv("fuzz.toml", data, getenv)
		if err != nil {
			if out != nil {
				t.Fatalf("output returned with an error")
			}
			if !strings.HasPrefix(err.Error(), "fuzz.toml:") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		if strings.Contains(string(out), "%ENV[") {
			t.Fatalf("%%ENV[ left in %q (input %q)", out, data)
		}
		if !strings.Contains(string(data), "%ENV[") && string(out) != string(data) {
			t.Fatalf("input without %%ENV[ changed: %q -> %q", data, out)
		}
	})
}

func BenchmarkSubstituteEnv(b *testing.B) {
	data := []byte(strings.Repeat("[in]\naddress = \"%ENV[HOST]:%ENV[PORT]\" # 100%\n", 64))
	getenv := func(name string) string { return "v" }
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := SubstituteEnv("bench.toml", data, getenv); err != nil {
			b.Fatal(err)
		}
	}
}
