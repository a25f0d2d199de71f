package config

import (
	"testing"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

func TestQuoteLegacyKeys(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"Heka's documented field with representation",
			"[d.message_fields]\nRequestSize|B = \"%RequestSize%\"\n",
			"[d.message_fields]\n\"RequestSize|B\" = \"%RequestSize%\"\n"},
		{"indented, no space before =",
			"\tRequestSize|B= \"%RequestSize%\"\n",
			"\t\"RequestSize|B\"= \"%RequestSize%\"\n"},
		{"CRLF line end and a comment",
			"Url|uri = \"%Url%\" # the path\r\n",
			"\"Url|uri\" = \"%Url%\" # the path\r\n"},
		{"last line without newline", "a|b=1", "\"a|b\"=1"},
		{"a quote in the key is escaped", "a\\b|c = 1\n", "\"a\\\\b|c\" = 1\n"},
		{"bare and dotted keys stay", "a-b_c = 1\nx.y = 2\n", "a-b_c = 1\nx.y = 2\n"},
		{"quoted keys stay", "\"a|b\" = 1\n'c|d' = 2\n", "\"a|b\" = 1\n'c|d' = 2\n"},
		{"table headers stay", "[a]\n[[b]]\n", "[a]\n[[b]]\n"},
		{"not a key: no =", "a|b\n", "a|b\n"},
		{"inside a multi-line basic string",
			"s = \"\"\"\nx|y = 1\n\"\"\"\nz|w = 2\n",
			"s = \"\"\"\nx|y = 1\n\"\"\"\n\"z|w\" = 2\n"},
		{"inside a multi-line literal string",
			"s = '''\nx|y = 1\n'''\n",
			"s = '''\nx|y = 1\n'''\n"},
		{"escaped quotes do not end a basic block",
			"s = \"\"\"a\\\"\"\"\nx|y = 1\n\"\"\"\n",
			"s = \"\"\"a\\\"\"\"\nx|y = 1\n\"\"\"\n"},
		{"a block closed with extra quotes",
			"s = \"\"\"a\"\"\"\"\"\nx|y = 1\n",
			"s = \"\"\"a\"\"\"\"\"\n\"x|y\" = 1\n"},
		{"triple quotes inside a one-line string start nothing",
			"s = 'a\"\"\"b'\nx|y = 1\n",
			"s = 'a\"\"\"b'\n\"x|y\" = 1\n"},
		{"triple quotes in a comment start nothing",
			"# \"\"\"\nx|y = 1\n",
			"# \"\"\"\n\"x|y\" = 1\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(quoteLegacyKeys([]byte(tc.in))); got != tc.want {
				t.Errorf("quoteLegacyKeys(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestLegacyKeysDecode: Heka's documented message_fields decode to the keys
// Heka read.
func TestLegacyKeysDecode(t *testing.T) {
	src := "[d.message_fields]\nType = \"ApacheLogfile\"\nUrl|uri = \"%Url%\"\nRequestSize|B= \"%RequestSize%\"\n"
	var v map[string]map[string]map[string]string
	if _, err := toml.Decode(string(quoteLegacyKeys([]byte(src))), &v); err != nil {
		t.Fatal(err)
	}
	got := v["d"]["message_fields"]
	if got["Url|uri"] != "%Url%" || got["RequestSize|B"] != "%RequestSize%" || got["Type"] != "ApacheLogfile" {
		t.Errorf("decoded %v", got)
	}
}

// FuzzQuoteLegacyKeys: valid TOML 1.0 is never changed, and any input is
// handled without a panic.
func FuzzQuoteLegacyKeys(f *testing.F) {
	f.Add("a|b = 1\n")
	f.Add("s = \"\"\"\nx|y = 1\n\"\"\"\n")
	f.Add("s = '''\nx|y = 1\n'''\n")
	f.Add("[t]\nk = 'v' # c\n\"q|k\" = \"\\\"\"\n")
	f.Add("a = [\n  1,\n  2,\n]\n")
	f.Fuzz(func(t *testing.T, src string) {
		out := quoteLegacyKeys([]byte(src))
		var v map[string]any
		if _, err := toml.Decode(src, &v); err == nil && string(out) != src {
			t.Fatalf("valid TOML %q changed to %q", src, out)
		}
	})
}

// FuzzLegacyKeyQuoting: a legacy key with any bytes becomes a quoted key
// that TOML decodes back to those bytes (when they are valid UTF-8).
func FuzzLegacyKeyQuoting(f *testing.F) {
	f.Add("a|b")
	f.Add("x\\\"y|")
	f.Add("ctl\x01|")
	f.Fuzz(func(t *testing.T, key string) {
		k0, k1, ok := legacyKey([]byte(key + " = 1\n"))
		if !ok || k0 != 0 || k1 != len(key) {
			return // not a whole legacy key
		}
		var v map[string]int
		_, err := toml.Decode(string(quoteLegacyKeys([]byte(key+" = 1\n"))), &v)
		if !utf8.ValidString(key) {
			return
		}
		if err != nil || v[key] != 1 {
			t.Fatalf("key %q: %v, decoded %v", key, err, v)
		}
	})
}
