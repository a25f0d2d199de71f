package pipeline

import "errors"

// ErrRetry, wrapped in the error a plugin returns, asks the engine to try
// again after a back-off (the retries options): Run is restarted, Connect
// is called again, the same record is written again.
var ErrRetry = errors.New("retry")

// ErrFatal, wrapped in the error a decoder or encoder returns, stops the
// plugin that owns it (the input or output), as a Lua decoder returning a
// fatal status does in Heka: hekad shuts down unless can_exit is set.
var ErrFatal = errors.New("fatal")

// ErrSkip, returned by an encoder, writes nothing for this message and
// counts it as dropped by a rule (a Lua encoder returning -2 in Heka).
var ErrSkip = errors.New("skip")

// dropError marks a failure that concerns one message only.
type dropError struct{ err error }

func (e dropError) Error() string { return e.err.Error() }
func (e dropError) Unwrap() error { return e.err }

// Drop wraps err to say that only the current message failed: the engine
// counts and logs it, and carries on with the next message.
func Drop(err error) error {
	if err == nil {
		return nil
	}
	return dropError{err}
}

// IsDrop reports whether err was made by Drop.
func IsDrop(err error) bool {
	var d dropError
	return errors.As(err, &d)
}
