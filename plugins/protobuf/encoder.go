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

// Encode implements pipeline.Encoder. When p.MsgBytes is the trusted
// encoding of the message (it was decoded from them and not changed since)
// those bytes are copied as they are; otherwise the message is encoded.
// The pack is not modified: several outputs may encode it at once.
func (Encoder) Encode(dst []byte, p *pipeline.Pack) ([]byte, error) {
	if p.TrustMsgBytes {
		return append(dst, p.MsgBytes...), nil
	}
	return p.Message.AppendMarshal(dst), nil
}

// ForwardsMsgBytes implements pipeline.BytesForwarder: with trusted
// MsgBytes, Encode reads nothing else.
func (Encoder) ForwardsMsgBytes() {}

var (
	_ pipeline.Encoder        = Encoder{}
	_ pipeline.BytesForwarder = Encoder{}
)
