package protobuf

import (
	_ "embed"

	"github.com/hekad-go/hekad/pipeline"
)

//go:embed ProtobufEncoder.toml
var encoderSample string

func init() {
	pipeline.RegisterEncoder("ProtobufEncoder", defaultEncoderConfig, newEncoder, pipeline.WithSample(encoderSample))
}

// EncoderConfig is the configuration of ProtobufEncoder, which has no
// options.
type EncoderConfig struct{}

func defaultEncoderConfig() EncoderConfig { return EncoderConfig{} }

// Encoder is ProtobufEncoder: it writes the message's protobuf encoding.
type Encoder struct{}

func newEncoder(EncoderConfig, *pipeline.Env) (pipeline.Encoder, error) { return Encoder{}, nil }

// Encode implements pipeline.Encoder: it appends the message's encoding,
// which is the bytes it arrived in when it was not changed since (so an
// unmodified message is forwarded byte for byte), and is made once per
// pack otherwise, whichever output asks first.
func (Encoder) Encode(dst []byte, p *pipeline.Pack) ([]byte, error) {
	return append(dst, p.Bytes()...), nil
}

var _ pipeline.Encoder = Encoder{}
