package split

import (
	_ "embed"
	"fmt"
	"sort"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

//go:embed HekaFramingSplitter.toml
var framingSample string

func init() {
	pipeline.RegisterSplitter("HekaFramingSplitter", defaultFramingConfig, newFramingSplitter, pipeline.WithSample(framingSample))
}

// FramingConfig configures a HekaFramingSplitter.
type FramingConfig struct {
	// Signer holds the HMAC keys of the signers whose messages are
	// accepted, by "<name>_<version>" (several versions of one signer may
	// coexist while keys are rolled over).
	Signer map[string]SignerKey `toml:"signer"`
	// SkipAuthentication accepts signed messages without checking their
	// signature (and then sets no signer on them).
	SkipAuthentication bool `toml:"skip_authentication"`
}

// SignerKey is one `[<splitter>.signer.<name>_<version>]` table.
type SignerKey struct {
	// HmacKey is the shared secret of that signer and key version.
	HmacKey string `toml:"hmac_key"`
}

func defaultFramingConfig() FramingConfig { return FramingConfig{} }

// DefaultSplitterCommon makes HekaFramingSplitter deliver message bytes by
// default, as in Heka.
func (*FramingConfig) DefaultSplitterCommon(c *pipeline.SplitterCommon) { c.UseMessageBytes = true }

// Validate checks the options; errors name the key.
func (c *FramingConfig) Validate() error {
	names := make([]string, 0, len(c.Signer))
	for name := range c.Signer {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !validSignerName(name) {
			return fmt.Errorf("signer.%s: the table name must be <signer name>_<key version>, e.g. ops_1", name)
		}
	}
	return nil
}

// validSignerName reports whether name ends in "_<decimal version>".
func validSignerName(name string) bool {
	i := len(name)
	for i > 0 && name[i-1] >= '0' && name[i-1] <= '9' {
		i--
	}
	return i < len(name) && i >= 2 && name[i-1] == '_'
}

// FramingSplitter finds Heka framed records, authenticates signed ones and
// returns their message bytes (the framing removed). Garbage between
// records is skipped and resynchronised on, as in Heka; unlike Heka every
// skipped region and every rejected signature is logged.
type FramingSplitter struct {
	sc *message.FrameScanner
}

func newFramingSplitter(c FramingConfig, env *pipeline.Env) (pipeline.Splitter, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var keys map[string]string
	if len(c.Signer) > 0 {
		keys = make(map[string]string, len(c.Signer))
		for name, k := range c.Signer {
			keys[name] = k.HmacKey
		}
	}
	log := env.Logger()
	return &FramingSplitter{sc: message.NewFrameScanner(message.FrameOptions{
		MaxMessageSize:     env.MaxMessageSize(),
		Keys:               keys,
		SkipAuthentication: c.SkipAuthentication,
		OnSkip: func(s message.Skip) {
			if s.Offset == 0 && s.Reason == message.SkipGarbage && s.Len == len(message.AckHello) {
				// Most likely the hello of a hekad TcpOutput with ack = true
				// to an input without it: the stream goes on as in Heka.
				log.Debug("skipped the first bytes of the stream (an acknowledgement hello?)")
				return
			}
			log.Error("skipped framed data: " + s.String())
		},
	})}, nil
}

// Split returns the message bytes of the next valid record.
func (s *FramingSplitter) Split(data []byte, atEOF bool) (int, []byte, error) {
	adv, frame, err := s.sc.Split(data, atEOF)
	if err != nil || frame == nil {
		return adv, nil, err
	}
	return adv, s.sc.Message(), nil
}

// Signer returns the verified signer name of the last record ("" when it
// was unsigned).
func (s *FramingSplitter) Signer() string { return s.sc.Signer() }

// Stats returns the scanner's counters (records, skipped bytes, rejected
// signatures).
func (s *FramingSplitter) Stats() message.FrameStats { return s.sc.Stats() }

var (
	_ pipeline.Splitter       = (*FramingSplitter)(nil)
	_ pipeline.SignedSplitter = (*FramingSplitter)(nil)
)
