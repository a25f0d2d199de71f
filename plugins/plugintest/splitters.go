package plugintest

import (
	"bytes"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

// framingSplitter delivers the message bytes of every Heka framed record.
type framingSplitter struct{ sc *message.FrameScanner }

// FramingSplitter returns a splitter that finds Heka framed records and
// delivers their message bytes, as HekaFramingSplitter does with
// use_message_bytes. It implements pipeline.SignedSplitter.
func FramingSplitter(opts message.FrameOptions) pipeline.Splitter {
	return &framingSplitter{sc: message.NewFrameScanner(opts)}
}

// Split implements pipeline.Splitter.
func (s *framingSplitter) Split(data []byte, atEOF bool) (int, []byte, error) {
	adv, frame, err := s.sc.Split(data, atEOF)
	if frame == nil {
		return adv, nil, err
	}
	return adv, s.sc.Message(), err
}

// Signer implements pipeline.SignedSplitter.
func (s *framingSplitter) Signer() string { return s.sc.Signer() }

// lineSplitter cuts a stream after every newline.
type lineSplitter struct{}

// LineSplitter returns a splitter that cuts a stream after every "\n",
// keeping the newline at the end of the record as Heka's TokenSplitter
// does. A trailing partial line is dropped at EOF.
func LineSplitter() pipeline.Splitter { return lineSplitter{} }

// Split implements pipeline.Splitter.
func (lineSplitter) Split(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i+1], nil
	}
	if atEOF {
		return len(data), nil, nil
	}
	return 0, nil, nil
}

var (
	_ pipeline.SignedSplitter = (*framingSplitter)(nil)
	_ pipeline.Splitter       = lineSplitter{}
)
