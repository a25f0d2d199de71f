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
// byte. When no plugin reads the messages, the engine has it only check
// the records (CheckRecord). The engine builds one Decoder per stream.
type Decoder struct {
	checker message.Checker
}

func newDecoder(DecoderConfig, *pipeline.Env) (pipeline.Decoder, error) { return new(Decoder), nil }

// Decode implements pipeline.Decoder. The record is p.MsgBytes; in text
// mode (the splitter did not deliver message bytes) it is the payload,
// which is moved to p.MsgBytes first. Bytes that are not a valid message
// fail the record with a Drop error.
func (*Decoder) Decode(_ context.Context, p *pipeline.Pack, out []*pipeline.Pack) ([]*pipeline.Pack, error) {
	moveTextRecord(p)
	if err := p.Message.Unmarshal(p.MsgBytes); err != nil {
		p.TrustMsgBytes = false
		return out, decodeError(err)
	}
	p.TrustMsgBytes = true
	return append(out, p), nil
}

// CheckRecord implements pipeline.RecordChecker: it fails exactly when
// Decode would, and on success marks p.MsgBytes trusted without decoding
// them (about a third of Decode's time, and no allocation).
func (d *Decoder) CheckRecord(_ context.Context, p *pipeline.Pack) error {
	if moveTextRecord(p) {
		p.Message.Reset()
	}
	if err := d.checker.Check(p.MsgBytes); err != nil {
		p.TrustMsgBytes = false
		return decodeError(err)
	}
	p.TrustMsgBytes = true
	return nil
}

// moveTextRecord moves the record of a text-mode stream (the splitter did
// not deliver message bytes) from the payload to p.MsgBytes, and reports
// whether it did.
func moveTextRecord(p *pipeline.Pack) bool {
	if len(p.MsgBytes) != 0 || !p.Message.Has(message.HeaderPayload) {
		return false
	}
	p.MsgBytes = append(p.MsgBytes[:0], p.Message.GetPayload()...)
	return true
}

func decodeError(err error) error {
	return pipeline.Drop(fmt.Errorf("protobuf decoder: %w", err))
}

var (
	_ pipeline.Decoder       = (*Decoder)(nil)
	_ pipeline.RecordChecker = (*Decoder)(nil)
)
