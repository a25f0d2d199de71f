package payload

import (
	_ "embed"
	"github.com/hekad-go/hekad/internal/strftime"
	"strings"
	"time"

	"github.com/hekad-go/hekad/pipeline"
)

//go:embed PayloadEncoder.toml
var encoderSample string

func init() {
	pipeline.RegisterEncoder("PayloadEncoder", defaultEncoderConfig, newEncoder, pipeline.WithSample(encoderSample))
}

// EncoderConfig is the configuration of PayloadEncoder.
type EncoderConfig struct {
	// AppendNewlines writes a "\n" after every payload.
	AppendNewlines bool `toml:"append_newlines"`
	// PrefixTs writes a timestamp, formatted by ts_format, before every
	// payload.
	PrefixTs bool `toml:"prefix_ts"`
	// TsFromMessage takes the prefix timestamp from the message; when
	// false it is the time of encoding.
	TsFromMessage bool `toml:"ts_from_message"`
	// TsFormat is the strftime format of the prefix timestamp, in the local
	// time zone. A space is added to it unless it ends with one.
	TsFormat string `toml:"ts_format"`
}

func defaultEncoderConfig() EncoderConfig {
	return EncoderConfig{
		AppendNewlines: true,
		TsFromMessage:  true,
		TsFormat:       "[%Y/%b/%d:%H:%M:%S %z]",
	}
}

// Encoder is PayloadEncoder: it writes the message payload, optionally
// prefixed by a timestamp and followed by a newline.
type Encoder struct {
	appendNewlines bool
	prefixTs       bool
	tsFromMessage  bool
	format         strftime.Format
	loc            *time.Location
	now            func() time.Time
}

func newEncoder(c EncoderConfig, _ *pipeline.Env) (pipeline.Encoder, error) {
	format := c.TsFormat
	if !strings.HasSuffix(format, " ") {
		format += " "
	}
	return &Encoder{
		appendNewlines: c.AppendNewlines,
		prefixTs:       c.PrefixTs,
		tsFromMessage:  c.TsFromMessage,
		format:         strftime.Parse(format),
		loc:            time.Local,
		now:            time.Now,
	}, nil
}

// Encode appends the record for p's message to dst.
func (e *Encoder) Encode(dst []byte, p *pipeline.Pack) ([]byte, error) {
	m := p.Message()
	if e.prefixTs {
		var t time.Time
		if e.tsFromMessage {
			t = time.Unix(0, m.GetTimestamp())
		} else {
			t = e.now()
		}
		dst = e.format.AppendTo(dst, t.In(e.loc))
	}
	dst = append(dst, m.GetPayload()...)
	if e.appendNewlines {
		dst = append(dst, '\n')
	}
	return dst, nil
}

var _ pipeline.Encoder = (*Encoder)(nil)
