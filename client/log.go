package client

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
)

// TypeOldstyle is the message type of the log calls, as heka-py's logging
// emulation sends them.
const TypeOldstyle = "oldstyle"

// The field names of Exception and Recover messages.
const (
	// FieldStack holds the stack trace: one STRING value per frame,
	// innermost first, each "function file:line".
	FieldStack = "stack"
	// FieldErrorType holds the Go type of the error or panic value.
	FieldErrorType = "error_type"
)

// log sends a Type "oldstyle" message with msg as its Payload.
func (c *Client) log(sev Severity, msg string, fields []Field) error {
	return c.finish(c.start(TypeOldstyle, sev, msg), fields)
}

// Debug sends msg as a log line of severity debug (7).
func (c *Client) Debug(msg string, fields ...Field) error {
	return c.log(SeverityDebug, msg, fields)
}

// Info sends msg as a log line of severity info (6).
func (c *Client) Info(msg string, fields ...Field) error {
	return c.log(SeverityInfo, msg, fields)
}

// Notice sends msg as a log line of severity notice (5), as heka-node's
// notice.
func (c *Client) Notice(msg string, fields ...Field) error {
	return c.log(SeverityNotice, msg, fields)
}

// Warn sends msg as a log line of severity warning (4).
func (c *Client) Warn(msg string, fields ...Field) error {
	return c.log(SeverityWarning, msg, fields)
}

// Error sends msg as a log line of severity error (3).
func (c *Client) Error(msg string, fields ...Field) error {
	return c.log(SeverityError, msg, fields)
}

// Critical sends msg as a log line of severity critical (2).
func (c *Client) Critical(msg string, fields ...Field) error {
	return c.log(SeverityCritical, msg, fields)
}

// Exception reports err with the stack of its caller, as heka-py's
// exception: Type "oldstyle", severity alert (1), Payload the error's text
// followed by the stack trace (one "function\n\tfile:line" pair a frame,
// as Go prints a goroutine's stack), Fields stack (the frames, one
// "function file:line" value each, innermost first) and error_type (the
// error's Go type), then the caller's fields.
func (c *Client) Exception(err error, fields ...Field) error {
	if err == nil {
		return nil
	}
	return c.exception(fmt.Sprintf("%T", err), err.Error(), 2, fields)
}

// Recover, deferred, reports a panic of the goroutine as Exception reports
// an error (Payload "panic: " and the panic value, then the stack of the
// panic), waits up to Options.PanicFlushTimeout for the sender to write it,
// and panics again with the same value. Without a panic it does nothing.
//
//	defer c.Recover()
func (c *Client) Recover() {
	r := recover()
	if r == nil {
		return
	}
	// Skip runtime.Callers, exception, Recover and the runtime's panic
	// frame: the stack starts where the panic was raised.
	_ = c.exception(fmt.Sprintf("%T", r), "panic: "+fmt.Sprint(r), 3, nil)
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.PanicFlushTimeout)
	_ = c.Flush(ctx)
	cancel()
	panic(r)
}

// exception sends an Exception message for the stack of the caller skip
// frames above exception.
func (c *Client) exception(typ, text string, skip int, fields []Field) error {
	var pcs [64]uintptr
	n := runtime.Callers(skip+1, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	var stack []string
	var payload strings.Builder
	payload.WriteString(text)
	for {
		f, more := frames.Next()
		if f.Function != "" || f.File != "" {
			line := strconv.Itoa(f.Line)
			stack = append(stack, f.Function+" "+f.File+":"+line)
			payload.WriteString("\n" + f.Function + "\n\t" + f.File + ":" + line)
		}
		if !more {
			break
		}
	}
	all := make([]Field, 0, 2+len(fields))
	all = append(all, Any(FieldStack, stack), String(FieldErrorType, typ))
	all = append(all, fields...)
	return c.finish(c.start(TypeOldstyle, SeverityAlert, payload.String()), all)
}
