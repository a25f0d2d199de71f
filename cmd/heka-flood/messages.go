package main

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/hekad-go/hekad/client"
	"github.com/hekad-go/hekad/message"
)

// The messages heka-flood sends, as Heka's: Type "hekabench", Logger
// "flood", a payload of "hekabench: <hostname> - " and random bytes.
const (
	floodType   = "hekabench"
	floodLogger = "flood"
	// variableCount is how many different messages a variable-size test
	// sends, picked at random for each message.
	variableCount = 64
)

// captureSender keeps each record given to it: heka-flood encodes its
// messages once, through client.Client, and sends the same bytes again
// and again.
type captureSender struct{ recs [][]byte }

func (c *captureSender) Send(rec []byte) error {
	c.recs = append(c.recs, append([]byte(nil), rec...))
	return nil
}

func (c *captureSender) Close(context.Context) error { return nil }

// templates are the framed records a test sends.
type templates struct {
	unsigned, signed [][]byte
	oversized        []byte
}

// makeTemplates encodes the messages of t with rng's randomness.
func makeTemplates(t *test, hostname string, rng *rand.Rand) (*templates, error) {
	encode := func(signer *message.SigningConfig, maxSize int, msgs []*message.Message) ([][]byte, error) {
		var cs captureSender
		c, err := client.New(&cs, client.Options{Logger: floodLogger, Hostname: hostname, Signer: signer, MaxMessageSize: maxSize})
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			if err := c.SendMessage(m); err != nil {
				return nil, err
			}
		}
		return cs.recs, nil
	}
	var msgs []*message.Message
	if t.VariableSizeMessages {
		for range variableCount {
			msgs = append(msgs, variableMessage(t, hostname, rng, 0))
		}
	} else {
		msgs = append(msgs, fixedMessage(t, hostname, rng))
	}
	var tp templates
	var err error
	if tp.unsigned, err = encode(nil, int(t.MaxMessageSize), msgs); err != nil {
		return nil, fmt.Errorf("encode messages: %w", err)
	}
	if t.SignedPercentage > 0 {
		if tp.signed, err = encode(&t.Signer, int(t.MaxMessageSize), msgs); err != nil {
			return nil, fmt.Errorf("encode signed messages: %w", err)
		}
	}
	if t.OversizedPercentage > 0 {
		// Framed with a limit above its size, so that the frame announces
		// a message larger than the receiver's limit.
		big := variableMessage(t, hostname, rng, int(t.MaxMessageSize))
		recs, err := encode(nil, 2*int(t.MaxMessageSize)+1<<20, []*message.Message{big})
		if err != nil {
			return nil, fmt.Errorf("encode the oversized message: %w", err)
		}
		tp.oversized = recs[0]
	}
	return &tp, nil
}

// payload returns Heka's flood payload with size random bytes.
func payload(hostname string, size int, ascii bool, rng *rand.Rand) string {
	prefix := "hekabench: " + hostname + " - "
	b := make([]byte, len(prefix)+size)
	copy(b, prefix)
	for i := len(prefix); i < len(b); i++ {
		if ascii {
			b[i] = byte(32 + rng.IntN(94))
		} else {
			b[i] = byte(rng.Uint32())
		}
	}
	return string(b)
}

// fixedMessage is the message of a fixed-size test: severity 6, the payload
// of static_message_size random bytes, no fields.
func fixedMessage(t *test, hostname string, rng *rand.Rand) *message.Message {
	m := new(message.Message)
	m.SetType(floodType)
	m.SetSeverity(6)
	m.SetPayload(payload(hostname, int(t.StaticMessageSize), t.AsciiOnly, rng))
	return m
}

// variableMessage is one message of a variable-size test: a payload of 0,
// 1 or 2 KiB (plus extra bytes), up to four fields each of string, bytes,
// integer, double and bool values, and a "filler" bytes field of 0 to 59
// KiB.
func variableMessage(t *test, hostname string, rng *rand.Rand, extra int) *message.Message {
	m := new(message.Message)
	m.SetType(floodType)
	m.SetEnvVersion("0.2")
	m.SetPayload(payload(hostname, rng.IntN(3)*1024+extra, t.AsciiOnly, rng))
	for c := range rng.IntN(5) {
		m.AppendField(fmt.Sprintf("string%d", c), message.ValueString, "").AddString(fmt.Sprintf("value%d", c))
	}
	for c := range rng.IntN(5) {
		b := byte(c)
		m.AppendField(fmt.Sprintf("bytes%d", c), message.ValueBytes, "").AddBytes([]byte{b, b, b, b, b, b, b, b})
	}
	for c := range rng.IntN(5) {
		m.AppendField(fmt.Sprintf("int%d", c), message.ValueInteger, "").AddInteger(int64(c))
	}
	for c := range rng.IntN(5) {
		m.AppendField(fmt.Sprintf("double%d", c), message.ValueDouble, "").AddDouble(float64(c))
	}
	for c := range rng.IntN(5) {
		m.AppendField(fmt.Sprintf("bool%d", c), message.ValueBool, "").AddBool(true)
	}
	m.AppendField("filler", message.ValueBytes, "").AddBytes(make([]byte, rng.IntN(60)*1024))
	return m
}
