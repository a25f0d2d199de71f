package engine

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

// payloadEncoder appends the payload.
type payloadEncoder struct{}

func (payloadEncoder) Encode(dst []byte, p *pipeline.Pack) ([]byte, error) {
	return append(dst, p.Message().GetPayload()...), nil
}

// TestEncodeFramedInPlace checks that framing in place writes exactly what
// message.AppendFrame writes, across header sizes, and fails the same way
// for a message too large for a frame.
func TestEncodeFramedInPlace(t *testing.T) {
	const maxSize = 70_000
	tests := []struct {
		name string
		size int
	}{
		{"empty", 0},
		{"one byte", 1},
		{"1-byte length", 127},
		{"2-byte length", 128},
		{"2-byte length max", 16383},
		{"3-byte length", 16384},
		{"largest", maxSize},
		{"too large", maxSize + 1},
		{"smaller again", 200},
	}
	s := &sink{
		e:       &Engine{g: pipeline.Globals{MaxMessageSize: maxSize}},
		log:     slog.New(slog.DiscardHandler),
		framing: true,
		encoder: payloadEncoder{},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := pipeline.NewPack()
			payload := strings.Repeat("x", tc.size)
			p.MutableMessage().SetPayload(payload)
			want, wantErr := message.AppendFrame(nil, []byte(payload), nil, maxSize)
			for range 2 { // the second time reuses the buffers
				got, err := s.encode(p)
				if wantErr != nil {
					if !errors.Is(err, message.ErrMessageTooLarge) {
						t.Fatalf("encode = %v, want %v", err, wantErr)
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("frame differs from AppendFrame's:\n got %x\nwant %x", got[:min(len(got), 16)], want[:min(len(want), 16)])
				}
			}
		})
	}
}
