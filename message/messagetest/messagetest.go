// Package messagetest provides messages for the tests and benchmarks of the
// packages that read and write messages (codec, framing, matcher, encoders),
// so that their figures are measured on the same input.
package messagetest

import (
	"strings"

	"github.com/hekad-go/hekad/message"
)

// BenchmarkUUID is the uuid of the benchmark message.
var BenchmarkUUID = [message.UUIDSize]byte{
	0x3f, 0x2a, 0x6c, 0x1e, 0x8b, 0x4d, 0x4f, 0x3a,
	0x9c, 0x21, 0x5e, 0x77, 0x10, 0xa4, 0xc3, 0x5b,
}

// BenchmarkTimestamp is the timestamp of the benchmark message
// (2016-05-03T12:34:56.789012345Z).
const BenchmarkTimestamp int64 = 1462278896789012345

// benchmarkPayload is an access-log line padded so that the whole message
// encodes to about 1 KiB.
var benchmarkPayload = `192.0.2.17 - alice [03/May/2016:12:34:56 +0000] ` +
	`"GET /api/v1/items/12345?expand=details&page=3 HTTP/1.1" 200 51234 ` +
	`"https://www.example.com/catalogue/items?sort=price&order=asc" ` +
	`"Mozilla/5.0 (X11; Linux x86_64; rv:46.0) Gecko/20100101 Firefox/46.0" ` +
	`rt=0.012 uct=0.001 uht=0.010 urt=0.010 ` + strings.Repeat("x", 235)

// BenchmarkMessage returns a new copy of the benchmark message: about 1 KiB
// encoded, every header field set, and 10 fields mixing strings, integers
// and doubles, with representations and two arrays.
func BenchmarkMessage() *message.Message {
	m := new(message.Message)
	FillBenchmarkMessage(m)
	return m
}

// FillBenchmarkMessage resets m and fills it with the benchmark message,
// recycling m's memory.
func FillBenchmarkMessage(m *message.Message) {
	m.Reset()
	m.SetUuid(BenchmarkUUID[:])
	m.SetTimestamp(BenchmarkTimestamp)
	m.SetType("nginx.access")
	m.SetLogger("FrontendAccessLog")
	m.SetSeverity(6)
	m.SetPayload(benchmarkPayload)
	m.SetEnvVersion("0.8")
	m.SetPid(4242)
	m.SetHostname("web-03.eu-west-1.example.com")

	mustAdd(m.AppendField("remote_addr", message.ValueString, "ipv4").AddString("192.0.2.17"))
	mustAdd(m.AppendField("method", message.ValueString, "").AddString("GET"))
	mustAdd(m.AppendField("path", message.ValueString, "uri").
		AddString("/api/v1/items/12345?expand=details&page=3"))
	mustAdd(m.AppendField("user_agent", message.ValueString, "").
		AddString("Mozilla/5.0 (X11; Linux x86_64; rv:46.0) Gecko/20100101 Firefox/46.0"))
	mustAdd(m.AppendField("status", message.ValueInteger, "").AddInteger(200))
	mustAdd(m.AppendField("body_bytes_sent", message.ValueInteger, "B").AddInteger(51234))
	mustAdd(m.AppendField("request_time", message.ValueDouble, "s").AddDouble(0.012))
	mustAdd(m.AppendField("upstream_response_time", message.ValueDouble, "s").AddDouble(0.0101))
	tags := m.AppendField("tags", message.ValueString, "")
	for _, t := range []string{"web", "frontend", "eu-west-1", "canary"} {
		mustAdd(tags.AddString(t))
	}
	lat := m.AppendField("latencies", message.ValueInteger, "ms")
	for _, v := range []int64{12, 15, 9, 110, 14, 13, 12, 18, 250, 11} {
		mustAdd(lat.AddInteger(v))
	}
}

func mustAdd(err error) {
	if err != nil {
		panic("messagetest: " + err.Error())
	}
}

// SpecUUID is the uuid of SpecMessage.
var SpecUUID = [message.UUIDSize]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}

// SpecMessage returns a new copy of the test message of Heka's matcher
// examples (heka-reference.md §5.4): every header set, and the fields foo,
// number, bytes, int (an array), double, bool, a second foo, Payload,
// Timestamp, zero and string, in that order.
func SpecMessage() *message.Message {
	m := new(message.Message)
	m.SetUuid(SpecUUID[:])
	m.SetTimestamp(1428773426113040227)
	m.SetType("TEST")
	m.SetLogger("GoSpec")
	m.SetSeverity(6)
	m.SetPayload("Test Payload")
	m.SetEnvVersion("0.8")
	m.SetPid(4242)
	m.SetHostname("trink-x230")
	for _, f := range []struct {
		name  string
		value any
	}{
		{"foo", "bar"},
		{"number", int64(64)},
		{"bytes", []byte("data")},
		{"int", []int64{999, 1024}},
		{"double", 99.9},
		{"bool", true},
		{"foo", "alternate"},
		{"Payload", "name=test;type=web;"},
		{"Timestamp", "Mon Jan 02 15:04:05 -0700 2006"},
		{"zero", int64(0)},
		{"string", "43"},
	} {
		field, err := message.NewField(f.name, f.value, "")
		if err != nil {
			panic(err) // the values above all have supported types
		}
		m.AddField(field)
	}
	return m
}
