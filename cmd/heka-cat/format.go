package main

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/hekad-go/hekad/message"
)

// format is one of heka-cat's output formats.
type format int

// The output formats, named as by -format.
const (
	formatTxt   format = iota // Heka's multi-line human readable dump
	formatJSON                // one JSON object per line, Heka's field names
	formatHeka                // the framed record exactly as read
	formatCount               // nothing per message; only the summary
)

var formatNames = map[string]format{
	"txt":   formatTxt,
	"json":  formatJSON,
	"heka":  formatHeka,
	"count": formatCount,
}

// parseFormat returns the format named by a -format value.
func parseFormat(name string) (format, error) {
	f, ok := formatNames[name]
	if !ok {
		return 0, fmt.Errorf("unknown -format %q: want txt, json, heka or count", name)
	}
	return f, nil
}

// append appends the output for one matched message m, read from the framed
// record, to dst. Times in the txt format are shown in loc.
func (f format) append(dst []byte, m *message.Message, record []byte, loc *time.Location) []byte {
	switch f {
	case formatTxt:
		return appendTxt(dst, m, loc)
	case formatJSON:
		return appendJSON(dst, m)
	case formatHeka:
		return append(dst, record...)
	}
	return dst
}

// appendTxt appends Heka's txt rendering of m: one "Name: value" line per
// header field, the fields in the protobuf compact text form, and a blank
// line.
func appendTxt(dst []byte, m *message.Message, loc *time.Location) []byte {
	dst = append(dst, "Timestamp: "...)
	dst = append(dst, time.Unix(0, m.GetTimestamp()).In(loc).String()...)
	dst = append(dst, "\nType: "...)
	dst = append(dst, m.GetType()...)
	dst = append(dst, "\nHostname: "...)
	dst = append(dst, m.GetHostname()...)
	dst = append(dst, "\nPid: "...)
	dst = strconv.AppendInt(dst, int64(m.GetPid()), 10)
	dst = append(dst, "\nUUID: "...)
	dst = append(dst, m.GetUuidString()...)
	dst = append(dst, "\nLogger: "...)
	dst = append(dst, m.GetLogger()...)
	dst = append(dst, "\nPayload: "...)
	dst = append(dst, m.GetPayload()...)
	dst = append(dst, "\nEnvVersion: "...)
	dst = append(dst, m.GetEnvVersion()...)
	dst = append(dst, "\nSeverity: "...)
	dst = strconv.AppendInt(dst, int64(m.GetSeverity()), 10)
	dst = append(dst, "\nFields: ["...)
	for i, fld := range m.GetFields() {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = appendFieldText(dst, fld)
	}
	return append(dst, "]\n\n"...)
}

// fieldHas reports whether f's value_type and representation are present
// (Heka prints absent ones differently).
func fieldHas(f *message.Field) (valueType, representation bool) {
	return f.HasValueType(), f.HasRepresentation()
}

// appendFieldText appends f in the protobuf compact text format as Heka
// printed it: each present field as `name:value` followed by a space, the
// repeated values one entry each, strings and bytes double-quoted with C
// escapes (octal for bytes outside printable ASCII).
func appendFieldText(dst []byte, f *message.Field) []byte {
	hasType, hasRep := fieldHas(f)
	dst = append(dst, "name:"...)
	dst = appendTextString(dst, f.GetName())
	dst = append(dst, ' ')
	if hasType {
		dst = append(dst, "value_type:"...)
		dst = appendEnumName(dst, f.GetValueType())
		dst = append(dst, ' ')
	}
	if hasRep {
		dst = append(dst, "representation:"...)
		dst = appendTextString(dst, f.GetRepresentation())
		dst = append(dst, ' ')
	}
	for _, v := range f.GetValueString() {
		dst = append(dst, "value_string:"...)
		dst = appendTextString(dst, v)
		dst = append(dst, ' ')
	}
	for _, v := range f.GetValueBytes() {
		dst = append(dst, "value_bytes:"...)
		dst = appendTextString(dst, string(v))
		dst = append(dst, ' ')
	}
	for _, v := range f.GetValueInteger() {
		dst = append(dst, "value_integer:"...)
		dst = strconv.AppendInt(dst, v, 10)
		dst = append(dst, ' ')
	}
	for _, v := range f.GetValueDouble() {
		dst = append(dst, "value_double:"...)
		dst = appendTextDouble(dst, v)
		dst = append(dst, ' ')
	}
	for _, v := range f.GetValueBool() {
		dst = append(dst, "value_bool:"...)
		dst = strconv.AppendBool(dst, v)
		dst = append(dst, ' ')
	}
	return dst
}

// appendEnumName appends the name of a value type, or its number when it has
// no name.
func appendEnumName(dst []byte, t message.ValueType) []byte {
	switch t {
	case message.ValueString, message.ValueBytes, message.ValueInteger, message.ValueDouble, message.ValueBool:
		return append(dst, t.String()...)
	}
	return strconv.AppendInt(dst, int64(t), 10)
}

// appendTextString appends s double-quoted the protobuf text way: byte by
// byte, with \n \r \t \" \\ escapes and three-digit octal escapes for every
// other byte outside printable ASCII.
func appendTextString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\n':
			dst = append(dst, `\n`...)
		case '\r':
			dst = append(dst, `\r`...)
		case '\t':
			dst = append(dst, `\t`...)
		case '"':
			dst = append(dst, `\"`...)
		case '\\':
			dst = append(dst, `\\`...)
		default:
			if c >= 0x20 && c < 0x7f {
				dst = append(dst, c)
			} else {
				dst = append(dst, '\\', '0'+c>>6, '0'+(c>>3)&7, '0'+c&7)
			}
		}
	}
	return append(dst, '"')
}

// appendTextDouble appends v as the protobuf text format writes a double:
// inf, -inf and nan by name, anything else in Go's shortest %v form.
func appendTextDouble(dst []byte, v float64) []byte {
	switch {
	case math.IsInf(v, 1):
		return append(dst, "inf"...)
	case math.IsInf(v, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(v):
		return append(dst, "nan"...)
	}
	return strconv.AppendFloat(dst, v, 'g', -1, 64)
}

// jsonMessage mirrors the struct Heka's heka-cat handed to encoding/json, so
// that the keys, their order, their omission when absent and the value
// encodings (base64 uuid and bytes, numeric value_type) are the same.
type jsonMessage struct {
	Uuid       []byte      `json:"uuid,omitempty"`
	Timestamp  *int64      `json:"timestamp,omitempty"`
	Type       *string     `json:"type,omitempty"`
	Logger     *string     `json:"logger,omitempty"`
	Severity   *int32      `json:"severity,omitempty"`
	Payload    *string     `json:"payload,omitempty"`
	EnvVersion *string     `json:"env_version,omitempty"`
	Pid        *int32      `json:"pid,omitempty"`
	Hostname   *string     `json:"hostname,omitempty"`
	Fields     []jsonField `json:"fields,omitempty"`
}

// jsonField mirrors one Heka Field for encoding/json.
type jsonField struct {
	Name           *string      `json:"name,omitempty"`
	ValueType      *int32       `json:"value_type,omitempty"`
	Representation *string      `json:"representation,omitempty"`
	ValueString    []string     `json:"value_string,omitempty"`
	ValueBytes     [][]byte     `json:"value_bytes,omitempty"`
	ValueInteger   []int64      `json:"value_integer,omitempty"`
	ValueDouble    []jsonDouble `json:"value_double,omitempty"`
	ValueBool      []bool       `json:"value_bool,omitempty"`
}

// jsonDouble is a double that encodes like encoding/json's float64 when
// finite and, where Heka failed and printed an empty line, as the strings
// "NaN", "Infinity" and "-Infinity" otherwise (the protobuf JSON mapping).
type jsonDouble float64

// MarshalJSON implements json.Marshaler.
func (d jsonDouble) MarshalJSON() ([]byte, error) {
	v := float64(d)
	switch {
	case math.IsNaN(v):
		return []byte(`"NaN"`), nil
	case math.IsInf(v, 1):
		return []byte(`"Infinity"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Infinity"`), nil
	}
	return json.Marshal(v)
}

// appendJSON appends m as one line of JSON.
func appendJSON(dst []byte, m *message.Message) []byte {
	b, err := json.Marshal(toJSON(m))
	if err != nil {
		// Not reachable: every value above has a JSON encoding.
		panic(fmt.Sprintf("heka-cat: encode json: %v", err))
	}
	dst = append(dst, b...)
	return append(dst, '\n')
}

// toJSON copies m into its encoding/json mirror.
func toJSON(m *message.Message) *jsonMessage {
	j := &jsonMessage{Uuid: m.GetUuid()}
	if m.Has(message.HeaderTimestamp) {
		j.Timestamp = ptr(m.GetTimestamp())
	}
	if m.Has(message.HeaderType) {
		j.Type = ptr(m.GetType())
	}
	if m.Has(message.HeaderLogger) {
		j.Logger = ptr(m.GetLogger())
	}
	if m.Has(message.HeaderSeverity) {
		j.Severity = ptr(m.GetSeverity())
	}
	if m.Has(message.HeaderPayload) {
		j.Payload = ptr(m.GetPayload())
	}
	if m.Has(message.HeaderEnvVersion) {
		j.EnvVersion = ptr(m.GetEnvVersion())
	}
	if m.Has(message.HeaderPid) {
		j.Pid = ptr(m.GetPid())
	}
	if m.Has(message.HeaderHostname) {
		j.Hostname = ptr(m.GetHostname())
	}
	for _, f := range m.GetFields() {
		hasType, hasRep := fieldHas(f)
		jf := jsonField{
			Name:         ptr(f.GetName()),
			ValueString:  f.GetValueString(),
			ValueBytes:   f.GetValueBytes(),
			ValueInteger: f.GetValueInteger(),
			ValueBool:    f.GetValueBool(),
		}
		if hasType {
			jf.ValueType = ptr(int32(f.GetValueType()))
		}
		if hasRep {
			jf.Representation = ptr(f.GetRepresentation())
		}
		if ds := f.GetValueDouble(); len(ds) > 0 {
			jf.ValueDouble = make([]jsonDouble, len(ds))
			for i, d := range ds {
				jf.ValueDouble[i] = jsonDouble(d)
			}
		}
		j.Fields = append(j.Fields, jf)
	}
	return j
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }
