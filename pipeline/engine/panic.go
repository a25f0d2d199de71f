package engine

import (
	"errors"
	"fmt"
	"runtime/debug"
)

// panicError is a recovered plugin panic, reported as that plugin's error.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("panic: %v", e.value) }

// recovered turns the value of recover() into an error (nil for nil).
func recovered(v any) error {
	if v == nil {
		return nil
	}
	return &panicError{value: v, stack: debug.Stack()}
}

// panicStack returns the stack of a recovered panic, or nil.
func panicStack(err error) []byte {
	var pe *panicError
	if errors.As(err, &pe) {
		return pe.stack
	}
	return nil
}

// guard calls f, turning a panic into its error: the one recover wrapper
// around plugin calls that return an error.
func guard(f func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = recovered(v)
		}
	}()
	return f()
}
