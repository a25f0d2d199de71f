package statsd

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"

	"github.com/hekad-go/hekad/internal/graphite"
	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

//go:embed StatsToFieldsDecoder.toml
var decoderSample string

func init() {
	pipeline.RegisterDecoder("StatsToFieldsDecoder", defaultDecoderConfig, newDecoder, pipeline.WithSample(decoderSample))
}

// DecoderConfig is the configuration of StatsToFieldsDecoder, which has no
// options.
type DecoderConfig struct{}

func defaultDecoderConfig() DecoderConfig { return DecoderConfig{} }

// Decoder is StatsToFieldsDecoder: it turns the Graphite lines of a
// message's payload ("name value unix-seconds") into DOUBLE fields named
// by the metric, with an INTEGER "timestamp" field, as StatAccumInput's
// emit_in_fields does. Lines with another timestamp than the first go to
// one new message per timestamp.
type Decoder struct {
	lines []graphiteLine
}

func newDecoder(DecoderConfig, *pipeline.Env) (pipeline.Decoder, error) { return &Decoder{}, nil }

// graphiteLine is one parsed payload line.
type graphiteLine struct {
	name  string
	value float64
	ts    int64
}

// Decode adds the payload's metrics as fields. One malformed line fails
// the whole message, unchanged, as in Heka.
func (d *Decoder) Decode(ctx context.Context, p *pipeline.Pack, out []*pipeline.Pack) ([]*pipeline.Pack, error) {
	payload := []byte(p.Message().GetPayload())
	d.lines = d.lines[:0]
	for len(payload) > 0 {
		line := payload
		if i := bytes.IndexByte(payload, '\n'); i >= 0 {
			line, payload = payload[:i], payload[i+1:]
		} else {
			payload = nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		name, v, ts, err := graphite.ParseLine(line)
		if err != nil {
			return out, fmt.Errorf("stats to fields decoder: malformed statmetric line %q: %w", line, err)
		}
		d.lines = append(d.lines, graphiteLine{string(name), v, ts})
	}
	if len(d.lines) == 0 {
		return out, fmt.Errorf("stats to fields decoder: no statmetric line in the payload")
	}
	m := p.MutableMessage()
	first := d.lines[0].ts
	var extras []*pipeline.Pack
	var stamps []int64
	for _, l := range d.lines {
		if l.ts == first {
			m.AppendField(l.name, message.ValueDouble, "").AddDouble(l.value)
			continue
		}
		i := 0
		for i < len(stamps) && stamps[i] != l.ts {
			i++
		}
		if i == len(stamps) {
			q, err := p.Spawn(ctx)
			if err != nil {
				return out, err
			}
			qm := q.MutableMessage()
			copyHeaders(qm, m)
			qm.AppendField("timestamp", message.ValueInteger, "").AddInteger(l.ts)
			extras, stamps = append(extras, q), append(stamps, l.ts)
		}
		extras[i].MutableMessage().AppendField(l.name, message.ValueDouble, "").AddDouble(l.value)
	}
	m.AppendField("timestamp", message.ValueInteger, "").AddInteger(first)
	out = append(out, p)
	return append(out, extras...), nil
}

// copyHeaders gives dst the headers of src with a new uuid, no payload
// and no field.
func copyHeaders(dst, src *message.Message) {
	dst.Reset()
	dst.SetNewUUID()
	dst.SetTimestamp(src.GetTimestamp())
	dst.SetType(src.GetType())
	dst.SetLogger(src.GetLogger())
	dst.SetHostname(src.GetHostname())
	dst.SetSeverity(src.GetSeverity())
	dst.SetPid(src.GetPid())
	dst.SetEnvVersion(src.GetEnvVersion())
	dst.SetPayload("")
}

var _ pipeline.Decoder = (*Decoder)(nil)
