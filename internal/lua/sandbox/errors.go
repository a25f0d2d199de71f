package sandbox

import (
	"errors"
	"fmt"
)

// Reason says why a sandbox was terminated.
type Reason int

// The reasons of a termination.
const (
	// ReasonError is a Lua error raised by the script (or by a host function
	// on its behalf).
	ReasonError Reason = iota
	// ReasonInstructionLimit is a call that ran more than instruction_limit
	// VM instructions.
	ReasonInstructionLimit
	// ReasonMemoryLimit is a script whose data grew past memory_limit.
	ReasonMemoryLimit
	// ReasonOutputLimit is an output buffer (add_to_payload, inject_payload)
	// that grew past output_limit.
	ReasonOutputLimit
	// ReasonBadReturn is an entry point that returned something other than
	// Heka's status code (and optional error string).
	ReasonBadReturn
	// ReasonMissing is an entry point the script does not define.
	ReasonMissing
	// ReasonAborted is a call stopped by Abort or by its context.
	ReasonAborted
)

// Messages of the Lua errors that enforce the limits, as in Heka.
const (
	msgInstructionLimit = "instruction_limit exceeded"
	msgMemoryLimit      = "memory_limit exceeded"
	msgOutputLimit      = "output_limit exceeded"
	msgAborted          = "aborted"
)

// String is a short name of the reason, for logs and metrics.
func (r Reason) String() string {
	switch r {
	case ReasonInstructionLimit:
		return "instruction_limit"
	case ReasonMemoryLimit:
		return "memory_limit"
	case ReasonOutputLimit:
		return "output_limit"
	case ReasonBadReturn:
		return "bad return"
	case ReasonMissing:
		return "missing entry point"
	case ReasonAborted:
		return "aborted"
	}
	return "lua error"
}

// TerminatedError is returned by an entry point call that terminated the
// sandbox, and by every call after it. Payload is the text Heka puts in the
// Payload of its heka.sandbox-terminated message, for instance
// "process_message() instruction_limit exceeded" or
// "timer_event() filter.lua:12: attempt to index a nil value".
type TerminatedError struct {
	Sandbox string // the sandbox's name (Config.Name)
	Func    string // the entry point, or "load" / "restore" for the script's loading
	Reason  Reason
	Msg     string // the message without the entry point's name
}

// Payload is Heka's termination text: the function name, "()" and the
// message.
func (e *TerminatedError) Payload() string {
	return e.Func + "() " + e.Msg
}

// Error names the sandbox and gives the termination text.
func (e *TerminatedError) Error() string {
	return fmt.Sprintf("sandbox %q terminated: %s", e.Sandbox, e.Payload())
}

// ErrClosed is returned by calls on a sandbox after Close.
var ErrClosed = errors.New("sandbox closed")
