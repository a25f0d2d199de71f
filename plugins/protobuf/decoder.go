package protobuf

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

//go:embed ProtobufDecoder.toml
var decoderSample string

func init() {
	pipeline.RegisterDecoder("ProtobufDecoder", defaultDecoderConfig, newDecoder, pipeline.WithSample(decoderSample))
}

// DecoderConfig is the configuration of ProtobufDecoder, which has no
// options.
type DecoderConfig struct{}

func defaultDecoderConfig() DecoderConfig { return DecoderConfig{} }

// Decoder is ProtobufDecoder: it decodes the record, a protobuf encoded
// message, into the pack's message and marks the record as the message's
// trusted encoding, so that an unmodified message is forwarded byte for
// byte.
type Decoder struct{}

func newDecoder(DecoderConfig, *pipeline.Env) (pipeline.Decoder, error) { return Decoder{}, nil }

// Decode implements pipeline.Decoder. The record is p.MsgBytes; in text
// mode (the splitter did not deliver message bytes) it is the payload,
// which is moved to p.MsgBytes first. Bytes that are not a valid message
// fail the record with a Drop error.
func (Decoder) Decode(_ context.Context, p *pipeline.Pack, out []*pipeline.Pack) ([]*pipeline.Pack, error) {
	if len(p.MsgBytes) == 0 && p.Message.Has(message.HeaderPayload) {
		p.MsgBytes = append(p.MsgBytes[:0], p.Message.GetPayload()...)
	}
	if err := p.Message.Unmarshal(p.MsgBytes); err != nil {
		p.TrustMsgBytes = false
		return out, pipeline.Drop(fmt.Errorf("protobuf decoder: %w", err))
	}
	p.TrustMsgBytes = true
	return append(out, p), nil
}

var _ pipeline.Decoder = Decoder{}
