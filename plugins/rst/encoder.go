package rst

import (
	_ "embed"
	"encoding/base64"
	"strconv"
	"time"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

//go:embed RstEncoder.toml
var sample string

func init() {
	pipeline.RegisterEncoder("RstEncoder", defaultConfig, newEncoder, pipeline.WithSample(sample))
}

// Config is the configuration of RstEncoder, which has no options.
type Config struct{}

func defaultConfig() Config { return Config{} }

// Encoder is RstEncoder: it writes a message as a reStructuredText field
// list, as Heka's RstEncoder does.
type Encoder struct{}

func newEncoder(Config, *pipeline.Env) (pipeline.Encoder, error) { return &Encoder{}, nil }

// timeLayout is the layout of time.Time.String, which Heka used.
const timeLayout = "2006-01-02 15:04:05.999999999 -0700 MST"

// typeNames are the lower-case names of the field value types.
var typeNames = [...]string{
	message.ValueString:  "string",
	message.ValueBytes:   "bytes",
	message.ValueInteger: "integer",
	message.ValueDouble:  "double",
	message.ValueBool:    "bool",
}

// Encode appends the rendering of p's message to dst: a blank line, the
// headers, the fields (if any) and a blank line.
func (*Encoder) Encode(dst []byte, p *pipeline.Pack) ([]byte, error) {
	m := p.Message()
	dst = append(dst, "\n:Timestamp: "...)
	dst = time.Unix(0, m.GetTimestamp()).UTC().AppendFormat(dst, timeLayout)
	dst = attr(dst, "Type", m.GetType())
	dst = attr(dst, "Hostname", m.GetHostname())
	dst = append(dst, "\n:Pid: "...)
	dst = strconv.AppendInt(dst, int64(m.GetPid()), 10)
	dst = append(dst, "\n:Uuid: "...)
	var uuid [36]byte
	if message.FormatUUID(&uuid, m.GetUuid()) {
		dst = append(dst, uuid[:]...)
	}
	dst = attr(dst, "Logger", m.GetLogger())
	dst = attr(dst, "Payload", m.GetPayload())
	dst = attr(dst, "EnvVersion", m.GetEnvVersion())
	dst = append(dst, "\n:Severity: "...)
	dst = strconv.AppendInt(dst, int64(m.GetSeverity()), 10)
	dst = append(dst, '\n')
	if fields := m.GetFields(); len(fields) > 0 {
		dst = append(dst, ":Fields:\n"...)
		for _, f := range fields {
			dst = field(dst, f)
		}
	}
	return append(dst, '\n'), nil
}

// attr appends the end of the previous line and the start of the next.
func attr(dst []byte, name, value string) []byte {
	dst = append(dst, "\n:"...)
	dst = append(dst, name...)
	dst = append(dst, ": "...)
	return append(dst, value...)
}

// field appends one line of the :Fields: list. A single value is written
// bare, any other number of values as [v1,v2,...]; strings are quoted
// (without escaping, as Heka), bytes are base64 and doubles in the
// shortest 'g' form.
func field(dst []byte, f *message.Field) []byte {
	t := f.GetValueType()
	dst = append(dst, `    | name:"`...)
	dst = append(dst, f.GetName()...)
	dst = append(dst, `" type:`...)
	if t >= 0 && int(t) < len(typeNames) {
		dst = append(dst, typeNames[t]...)
	} else {
		dst = strconv.AppendInt(dst, int64(t), 10)
	}
	dst = append(dst, " value:"...)
	n := f.Len()
	if n != 1 {
		dst = append(dst, '[')
	}
	for i := range n {
		if i > 0 {
			dst = append(dst, ',')
		}
		switch t {
		case message.ValueString:
			dst = append(dst, '"')
			dst = append(dst, f.GetValueString()[i]...)
			dst = append(dst, '"')
		case message.ValueBytes:
			dst = base64.StdEncoding.AppendEncode(dst, f.GetValueBytes()[i])
		case message.ValueInteger:
			dst = strconv.AppendInt(dst, f.GetValueInteger()[i], 10)
		case message.ValueDouble:
			dst = strconv.AppendFloat(dst, f.GetValueDouble()[i], 'g', -1, 64)
		case message.ValueBool:
			dst = strconv.AppendBool(dst, f.GetValueBool()[i])
		}
	}
	if n != 1 {
		dst = append(dst, ']')
	}
	if r := f.GetRepresentation(); r != "" {
		dst = append(dst, ` representation:"`...)
		dst = append(dst, r...)
		dst = append(dst, '"')
	}
	return append(dst, '\n')
}

var _ pipeline.Encoder = (*Encoder)(nil)
