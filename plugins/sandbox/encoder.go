package sandbox

import (
	"context"
	"fmt"

	lua "github.com/yuin/gopher-lua"

	lsb "github.com/hekad-go/hekad/internal/lua/sandbox"
	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

// skipStatus is the process_message status with which an encoder writes
// nothing for a message.
const skipStatus = -2

// Encoder is SandboxEncoder: process_message is called for every message
// the output writes, and what the script injected last (inject_payload's
// buffer, or inject_message's message encoded) is the output.
type Encoder struct {
	name string
	sb   *lazySandbox
	rd   reader

	out      []byte
	injected bool
	scratch  message.Message
}

func newEncoder(cfg Config, env *pipeline.Env) (pipeline.Encoder, error) {
	e := &Encoder{name: env.Name()}
	sb, err := newSandbox(cfg, env, "sandbox encoder", lsb.Restricted, messageHosts(e, &e.rd))
	if err != nil {
		return nil, err
	}
	e.sb = sb
	return e, nil
}

// Encode runs process_message on p. Status 0 appends what the script
// injected last, or, when it injected nothing, the protobuf encoding of the
// message (with the changes write_message made to the encoder's private
// copy); -2 skips the message (ErrSkip); another negative status fails this
// message ("Failed serializing"); a positive one, a script error or a
// Close preserves the script's data (preserve_data) and releases the
// sandbox. The engine closes an output's encoder after the output.
func (e *Encoder) Close() error { return e.sb.close("sandbox encoder", e.name) }

// broken limit is fatal (ErrFatal: the output stops).
func (e *Encoder) Encode(dst []byte, p *pipeline.Pack) ([]byte, error) {
	if err := e.sb.start(context.Background()); err != nil {
		return dst, fmt.Errorf("sandbox encoder %q: %w: %w", e.name, pipeline.ErrFatal, err)
	}
	e.out, e.injected = e.out[:0], false
	e.rd.set(p)
	status, msg, err := e.sb.ProcessMessage(context.Background())
	own := e.rd.own
	e.rd.set(nil)
	switch {
	case err != nil:
		return dst, fmt.Errorf("sandbox encoder %q: %w: %w", e.name, pipeline.ErrFatal, err)
	case status == skipStatus:
		return dst, pipeline.ErrSkip
	case status < 0:
		return dst, fmt.Errorf("sandbox encoder %q: Failed serializing: %s", e.name, msg)
	case status > 0:
		return dst, fmt.Errorf("sandbox encoder %q: %w: process_message() returned %d: %s", e.name, pipeline.ErrFatal, status, msg)
	case e.injected:
		return append(dst, e.out...), nil
	case own != nil:
		return own.AppendMarshal(dst), nil
	}
	return append(dst, p.Bytes()...), nil
}

// injectPayload is inject_payload([type[, name[, ...]]]) in an encoder: the
// output buffer becomes the encoder's output.
func (e *Encoder) injectPayload(L *lua.LState) int {
	_, _, payload := e.sb.InjectPayload(L)
	e.out = append(e.out[:0], payload...)
	e.injected = true
	e.sb.Output().Reset()
	return 0
}

// injectMessage is inject_message(table) in an encoder: the message's
// protobuf encoding becomes the encoder's output.
func (e *Encoder) injectMessage(L *lua.LState) int {
	e.scratch.Reset()
	messageArg(L, &e.scratch)
	e.out = e.scratch.AppendMarshal(e.out[:0])
	e.injected = true
	return 0
}

// writeMessage is write_message on the encoder's private copy of the
// message, made on the first write.
func (e *Encoder) writeMessage(L *lua.LState) int {
	if e.rd.pack == nil {
		L.RaiseError("write_message() called outside process_message")
	}
	if e.rd.own == nil {
		e.rd.own = e.rd.pack.Message().Clone()
	}
	return writeMessage(L, e.rd.own)
}

var _ pipeline.Encoder = (*Encoder)(nil)
