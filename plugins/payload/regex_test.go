package payload

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/plugins/plugintest"
)

const nginxRegex = `^(?P<remote_addr>\S+) - (?P<remote_user>\S+) \[(?P<Timestamp>[^\]]+)\] "(?P<method>[A-Z]+) (?P<path>[^ "]*) (?P<protocol>[^"]*)" (?P<status>\d{3}) (?P<body_bytes_sent>\d+) "(?P<referer>[^"]*)" "(?P<user_agent>[^"]*)"`

const nginxLine = `192.0.2.17 - alice [03/May/2016:12:34:56 +0200] "GET /api/v1/items/12345?page=3 HTTP/1.1" 200 51234 "https://www.example.com/catalogue" "Mozilla/5.0 (X11; Linux x86_64; rv:46.0) Gecko/20100101 Firefox/46.0"`

// newRegex builds a PayloadRegexDecoder from a TOML body, decoded strictly
// as the configuration loader does.
func newRegex(t testing.TB, body string) *RegexDecoder {
	t.Helper()
	cfg, err := plugintest.DecodeConfig("[dec]\ntype = \"PayloadRegexDecoder\"\n"+body, "PayloadRegexDecoder")
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	d, err := newRegexDecoder(*cfg.(*RegexConfig), pipeline.NewEnv("dec", "PayloadRegexDecoder", nil, nil, nil))
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return d.(*RegexDecoder)
}

// textPack returns a pack as the engine hands it over in text mode.
func textPack(payload string) *pipeline.Pack {
	p := pipeline.NewPack()
	m := p.MutableMessage()
	m.SetUuid([]byte("0123456789abcdef"))
	m.SetTimestamp(42)
	m.SetLogger("input")
	m.SetPayload(payload)
	// As a decoder may get it: with the message's encoding as trusted
	// bytes, which Decode must stop trusting when it changes the message.
	p.MsgBytes = m.Marshal()
	p.TrustBytes()
	return p
}

// fieldString renders a message's fields as name|repr=value lines.
func fieldString(m *message.Message) string {
	var b strings.Builder
	for _, f := range m.GetFields() {
		fmt.Fprintf(&b, "%s|%s:%v=%q\n", f.GetName(), f.GetRepresentation(), f.GetValueType(), f.GetValueString())
	}
	return b.String()
}

func TestRegexDecoder(t *testing.T) {
	tests := []struct {
		name    string
		config  string
		payload string
		check   func(t *testing.T, m *message.Message)
	}{
		{
			name: "nginx combined line",
			config: `match_regex = '` + nginxRegex + `'
timestamp_layout = "02/Jan/2006:15:04:05 -0700"
[dec.message_fields]
Type = "nginx.access"
remote_addr = "%remote_addr%"
"path|uri" = "%path%"
request = "%method% %path% %protocol%"
status = "%status%"
"body_bytes_sent|B" = "%body_bytes_sent%"
user_agent = "%user_agent%"
`,
			payload: nginxLine,
			check: func(t *testing.T, m *message.Message) {
				want := `body_bytes_sent|B:STRING=["51234"]
path|uri:STRING=["/api/v1/items/12345?page=3"]
remote_addr|:STRING=["192.0.2.17"]
request|:STRING=["GET /api/v1/items/12345?page=3 HTTP/1.1"]
status|:STRING=["200"]
user_agent|:STRING=["Mozilla/5.0 (X11; Linux x86_64; rv:46.0) Gecko/20100101 Firefox/46.0"]
`
				if got := fieldString(m); got != want {
					t.Errorf("fields:\n%s\nwant:\n%s", got, want)
				}
				if m.GetType() != "nginx.access" {
					t.Errorf("Type = %q", m.GetType())
				}
				if ts := time.Date(2016, 5, 3, 10, 34, 56, 0, time.UTC).UnixNano(); m.GetTimestamp() != ts {
					t.Errorf("Timestamp = %d, want %d", m.GetTimestamp(), ts)
				}
				if m.GetLogger() != "input" || m.GetPayload() != nginxLine || m.Has(message.HeaderSeverity) {
					t.Errorf("untouched headers changed: logger %q payload %q severity set %v",
						m.GetLogger(), m.GetPayload(), m.Has(message.HeaderSeverity))
				}
			},
		},
		{
			name: "interpolation of several captures, unknown names and stray percents",
			config: `match_regex = '(?P<a>\w+)-(?P<b>\w+)-(\w+)'
[dec.message_fields]
x = "%b%/%a%:%3%"
y = "%nope% and %a%"
z = "100%% %a%%b% 5%"
w = "literal"
v = ""
`,
			payload: "one-two-three",
			check: func(t *testing.T, m *message.Message) {
				want := `v|:STRING=[""]
w|:STRING=["literal"]
x|:STRING=["two/one:three"]
y|:STRING=["<nope> and one"]
z|:STRING=["100%% onetwo 5%"]
`
				if got := fieldString(m); got != want {
					t.Errorf("fields:\n%s\nwant:\n%s", got, want)
				}
			},
		},
		{
			name: "header targets",
			config: `match_regex = '(?P<host>\S+) (?P<pid>\S+) (?P<id>\S+) (?P<sev>\d+)'
[dec.message_fields]
Type = "t.%host%"
Logger = "l.%host%"
Hostname = "%host%"
Payload = "new %pid%"
Pid = "%pid%"
Severity = "%sev%"
Uuid = "%id%"
EnvVersion = "1.0"
Timestamp = "%pid%"
"Payload|json" = "{}"
`,
			payload: "web-1 1234.56 3F2A6C1E-8b4d-4f3a-9c21-5e7710a4c35b 2",
			check: func(t *testing.T, m *message.Message) {
				if m.GetType() != "t.web-1" || m.GetLogger() != "l.web-1" || m.GetHostname() != "web-1" ||
					m.GetPayload() != "new 1234.56" || m.GetPid() != 1234 || m.GetSeverity() != 2 ||
					m.GetUuidString() != "3f2a6c1e-8b4d-4f3a-9c21-5e7710a4c35b" || m.GetTimestamp() != 42 {
					t.Errorf("headers: type %q logger %q host %q payload %q pid %d severity %d uuid %q ts %d",
						m.GetType(), m.GetLogger(), m.GetHostname(), m.GetPayload(), m.GetPid(),
						m.GetSeverity(), m.GetUuidString(), m.GetTimestamp())
				}
				// As in Heka 0.10, EnvVersion and Timestamp are not header
				// targets, and a header name with a representation is a field.
				want := `EnvVersion|:STRING=["1.0"]
Payload|json:STRING=["{}"]
Timestamp|:STRING=["1234.56"]
`
				if got := fieldString(m); got != want {
					t.Errorf("fields:\n%s\nwant:\n%s", got, want)
				}
				if m.Has(message.HeaderEnvVersion) {
					t.Errorf("EnvVersion header set")
				}
			},
		},
		{
			name: "severity_map",
			config: `match_regex = 'severity: (?P<Severity>\w+)'
[dec.severity_map]
error = 3
warning = 4
[dec.message_fields]
level = "%Severity%"
`,
			payload: "severity: warning",
			check: func(t *testing.T, m *message.Message) {
				if m.GetSeverity() != 4 {
					t.Errorf("Severity = %d, want 4", m.GetSeverity())
				}
				if v, _ := m.GetFieldValue("level"); v != "warning" {
					t.Errorf("level = %v", v)
				}
			},
		},
		{
			name:    "numeric severity outside severity_map",
			config:  `match_regex = 'severity: (?P<Severity>\w+)'` + "\n[dec.severity_map]\nerror = 3\n",
			payload: "severity: 5",
			check: func(t *testing.T, m *message.Message) {
				if m.GetSeverity() != 5 {
					t.Errorf("Severity = %d, want 5", m.GetSeverity())
				}
			},
		},
		{
			name:    "unknown severity keeps the header unset",
			config:  `match_regex = 'severity: (?P<Severity>\w+)'`,
			payload: "severity: loud",
			check: func(t *testing.T, m *message.Message) {
				if m.Has(message.HeaderSeverity) {
					t.Errorf("Severity set to %d", m.GetSeverity())
				}
			},
		},
		{
			name:    "unparsable timestamp keeps the message timestamp",
			config:  `match_regex = '\[(?P<Timestamp>[^\]]*)\]'` + "\ntimestamp_layout = \"2006-01-02\"\n",
			payload: "[yesterday]",
			check: func(t *testing.T, m *message.Message) {
				if m.GetTimestamp() != 42 {
					t.Errorf("Timestamp = %d, want 42", m.GetTimestamp())
				}
			},
		},
		{
			name:    "optional group that did not take part",
			config:  `match_regex = 'a(?P<x>b)?c'` + "\n[dec.message_fields]\nx = \"[%x%]\"\ny = \"%x%\"\n",
			payload: "ac",
			check: func(t *testing.T, m *message.Message) {
				want := "x|:STRING=[\"[]\"]\ny|:STRING=[\"\"]\n"
				if got := fieldString(m); got != want {
					t.Errorf("fields:\n%s\nwant:\n%s", got, want)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newRegex(t, tc.config)
			p := textPack(tc.payload)
			out, err := d.Decode(t.Context(), p, nil)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if len(out) != 1 || out[0] != p {
				t.Fatalf("Decode returned %d packs, want the input pack", len(out))
			}
			if p.BytesTrusted() {
				t.Errorf("bytes still trusted")
			}
			tc.check(t, p.Message())
		})
	}
}

func TestRegexTimestampLayouts(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Skipf("no tzdata: %v", err)
	}
	now := time.Now().UTC()
	tests := []struct {
		layout, location, ts string
		want                 int64
	}{
		{"02/Jan/2006:15:04:05 -0700", "UTC", "18/Apr/2013:14:00:28 -0700", 1366318828000000000},
		{"02/Jan/2006:15:04:05", "America/Los_Angeles", "18/Apr/2013:14:00:28",
			time.Date(2013, 4, 18, 14, 0, 28, 0, la).UnixNano()},
		{"Epoch", "UTC", "1414448234", 1414448234000000000},
		{"Epoch", "UTC", "1414448234.638504391", 1414448234638504391},
		{"Epoch", "UTC", "1414448234.5", 1414448234500000000},
		{"Epoch", "UTC", "1414448234.1234567891234", 1414448234123456789},
		{"EpochMilli", "UTC", "1414448234638", 1414448234638000000},
		{"EpochMilli", "UTC", "1414448234638.5", 1414448234638500000},
		{"EpochMicro", "UTC", "1414448234638504", 1414448234638504000},
		{"EpochNano", "UTC", "1414448234638504391", 1414448234638504391},
		{"EpochNano", "UTC", "1414448234638504391.9", 1414448234638504391},
		// The layout fails; a standard layout (RFC3339) parses it.
		{"02/Jan/2006", "UTC", "2016-05-03T12:34:56Z", time.Date(2016, 5, 3, 12, 34, 56, 0, time.UTC).UnixNano()},
		// No date: today's (Kitchen).
		{"", "UTC", "5:16PM", time.Date(now.Year(), now.Month(), now.Day(), 17, 16, 0, 0, time.UTC).UnixNano()},
		// No year: this year (Stamp).
		{"Jan _2 15:04:05", "UTC", "Mar  7 01:02:03", time.Date(now.Year(), 3, 7, 1, 2, 3, 0, time.UTC).UnixNano()},
	}
	for _, tc := range tests {
		t.Run(tc.layout+"/"+tc.ts, func(t *testing.T) {
			d := newRegex(t, fmt.Sprintf("match_regex = '\\[(?P<Timestamp>[^\\]]+)\\]'\ntimestamp_layout = %q\ntimestamp_location = %q\n",
				tc.layout, tc.location))
			d.times.now = func() time.Time { return now }
			p := textPack("[" + tc.ts + "]")
			if _, err := d.Decode(t.Context(), p, nil); err != nil {
				t.Fatal(err)
			}
			if got := p.Message().GetTimestamp(); got != tc.want {
				t.Errorf("Timestamp = %d (%v), want %d (%v)", got, time.Unix(0, got).UTC(), tc.want, time.Unix(0, tc.want).UTC())
			}
		})
	}
}

func TestParseEpochErrors(t *testing.T) {
	for _, tc := range []struct {
		s      string
		digits int
	}{
		{"", 0}, {".", 0}, {"-1", 9}, {"12a", 9}, {"1.2.3", 9}, {"99999999999", 9}, {"18446744073709551616", 0},
	} {
		if n, err := parseEpoch(tc.s, tc.digits); err == nil {
			t.Errorf("parseEpoch(%q, %d) = %d, want an error", tc.s, tc.digits, n)
		}
	}
}

func TestRegexDecodeFailures(t *testing.T) {
	tests := []struct {
		name, config, payload string
		drop                  bool   // want a Drop error (else a silent drop)
		errHas                string // text the error must contain
	}{
		{"no match", `match_regex = '^(?P<a>\d+)$'`, "not a number", true, `does not match match_regex: "not a number"`},
		{"no match, log_errors off", "match_regex = '^(?P<a>\\d+)$'\nlog_errors = false", "not a number", false, ""},
		{"bad Pid", "match_regex = '(?P<a>\\w+)'\n[dec.message_fields]\nPid = \"%a%\"\nType = \"x\"", "abc", true, "message_fields Pid"},
		{"bad Severity", "match_regex = '(?P<a>\\w+)'\n[dec.message_fields]\nSeverity = \"s%a%\"", "abc", true, "message_fields Severity"},
		{"bad Uuid", "match_regex = '(?P<a>\\w+)'\n[dec.message_fields]\nUuid = \"%a%\"", "abc", true, "message_fields Uuid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newRegex(t, tc.config)
			p := textPack(tc.payload)
			before := p.Message().Clone()
			out, err := d.Decode(t.Context(), p, nil)
			if len(out) != 0 {
				t.Errorf("Decode returned %d packs, want none", len(out))
			}
			if !tc.drop {
				if err != nil {
					t.Errorf("err = %v, want nil", err)
				}
				return
			}
			if !pipeline.IsDrop(err) || !strings.Contains(err.Error(), tc.errHas) {
				t.Errorf("err = %v, want a Drop error containing %q", err, tc.errHas)
			}
			if !p.Message().Equal(before) {
				t.Errorf("a failed decode changed the message")
			}
		})
	}
}

func TestRegexInvalidConfig(t *testing.T) {
	plugintest.CheckInvalid(t, "PayloadRegexDecoder", map[string]string{
		"[PayloadRegexDecoder]\n":                                                           "match_regex",
		"[PayloadRegexDecoder]\nmatch_regex = '(?P<a>'\n":                                   "match_regex",
		"[PayloadRegexDecoder]\nmatch_regex = '\\d+'\n":                                     "match_regex",
		"[PayloadRegexDecoder]\nmatch_regex = '(a)'\ntimestamp_layout = 'EpochSecs'\n":      "timestamp_layout",
		"[PayloadRegexDecoder]\nmatch_regex = '(a)'\ntimestamp_location = 'Mars/Olympus'\n": "timestamp_location",
		"[PayloadRegexDecoder]\nmatch_regex = '(a)'\nmessage_field = {}\n":                  "message_field",
	})
}

func TestRegexDecodeAllocs(t *testing.T) {
	d := newRegex(t, `match_regex = '`+nginxRegex+`'
timestamp_layout = "02/Jan/2006:15:04:05 -0700"
[dec.message_fields]
Type = "nginx.access"
remote_addr = "%remote_addr%"
"path|uri" = "%path%"
status = "%status%"
`)
	line := strings.Replace(nginxLine, "+0200", "+0000", 1)
	p := textPack(line)
	out := make([]*pipeline.Pack, 0, 1)
	allocs := testing.AllocsPerRun(100, func() {
		p.MutableMessage().Reset()
		p.MutableMessage().SetPayload(line)
		var err error
		if out, err = d.Decode(t.Context(), p, out[:0]); err != nil {
			t.Fatal(err)
		}
	})
	// No message_fields value is composite (made of several parts), and
	// fastregexp matches into the decoder's slice: nothing allocates.
	if allocs != 0 {
		t.Errorf("Decode allocates %v times per line, want 0", allocs)
	}
}

func FuzzPayloadRegexDecoder(f *testing.F) {
	f.Add(nginxLine)
	f.Add("[1414448234.638504391] severity: error pid=12 uuid=3f2a6c1e-8b4d-4f3a-9c21-5e7710a4c35b")
	f.Add("")
	f.Add("[] severity:  pid=. uuid=")
	decoders := []*RegexDecoder{
		newRegex(f, `match_regex = '`+nginxRegex+`'
timestamp_layout = "02/Jan/2006:15:04:05 -0700"
[dec.message_fields]
Type = "nginx.access"
request = "%method% %path% %protocol%"
"status|count" = "%status%"
`),
		newRegex(f, `match_regex = '\[(?P<Timestamp>[^\]]*)\] severity: (?P<Severity>\S*) pid=(?P<pid>\S*) uuid=(?P<uuid>\S*)'
timestamp_layout = "Epoch"
[dec.severity_map]
error = 3
[dec.message_fields]
Pid = "%pid%"
Uuid = "%uuid%"
Payload = "%Severity%%pid%"
x = "%1%%nope%"
`),
		newRegex(f, "match_regex = '(?s)(?P<Timestamp>.*)'\n"),
	}
	f.Fuzz(func(t *testing.T, payload string) {
		for _, d := range decoders {
			p := textPack(payload)
			out, err := d.Decode(t.Context(), p, nil)
			if err != nil && !pipeline.IsDrop(err) {
				t.Fatalf("error is not a Drop: %v", err)
			}
			if err == nil && (len(out) != 1 || out[0] != p) {
				t.Fatalf("success returned %d packs", len(out))
			}
			if err == nil {
				// The result must encode and decode back.
				var m message.Message
				if err := m.Unmarshal(p.Message().Marshal()); err != nil {
					t.Fatalf("decoded message does not round-trip: %v", err)
				}
			}
		}
	})
}

// BenchmarkPayloadRegexDecoder decodes an nginx combined log line into 8
// fields and the Type and Timestamp headers. MatchOnly is the cost of the
// match alone (internal/fastregexp) and StdMatchOnly that of Go's regexp
// package, which the decoder used before, for comparison.
func BenchmarkPayloadRegexDecoder(b *testing.B) {
	d := newRegex(b, `match_regex = '`+nginxRegex+`'
timestamp_layout = "02/Jan/2006:15:04:05 -0700"
[dec.message_fields]
Type = "nginx.access"
remote_addr = "%remote_addr%"
remote_user = "%remote_user%"
"path|uri" = "%path%"
request = "%method% %path% %protocol%"
status = "%status%"
"body_bytes_sent|B" = "%body_bytes_sent%"
user_agent = "%user_agent%"
referer = "%referer%"
`)
	line := strings.Replace(nginxLine, "+0200", "+0000", 1)
	b.Run("Decode", func(b *testing.B) {
		p := textPack(line)
		out := make([]*pipeline.Pack, 0, 1)
		ctx := b.Context()
		b.SetBytes(int64(len(line)))
		b.ReportAllocs()
		for b.Loop() {
			p.MutableMessage().Reset()
			p.MutableMessage().SetPayload(line)
			var err error
			if out, err = d.Decode(ctx, p, out[:0]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("MatchOnly", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		b.ReportAllocs()
		for b.Loop() {
			if d.re.FindStringSubmatchIndex(line, d.idx) == nil {
				b.Fatal("no match")
			}
		}
	})
	b.Run("StdMatchOnly", func(b *testing.B) {
		b.SetBytes(int64(len(line)))
		b.ReportAllocs()
		for b.Loop() {
			if d.re.Std().FindStringSubmatchIndex(line) == nil {
				b.Fatal("no match")
			}
		}
	})
}
