package diskqueue

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/hekad-go/hekad/message"
)

// Defaults applied by Open to zero options.
const (
	// DefaultMaxFileSize is Heka's default max_file_size (512 MiB).
	DefaultMaxFileSize = 512 << 20
	// DefaultMaxMessageSize is Heka's default max_message_size (64 KiB).
	DefaultMaxMessageSize = message.DefaultMaxMessageSize
)

// Options configure a Queue. The zero value of a field selects its default.
type Options struct {
	// Dir is the queue directory, e.g. <base_dir>/output_queue/<plugin name
	// with \W replaced by _>. It is created with mode 0700 if missing. One
	// Queue at a time may use it.
	Dir string
	// MaxFileSize is the size past which the writer starts a new segment
	// file: a record that would make the current segment larger goes to a
	// new one. 0 means DefaultMaxFileSize. It must hold the largest record
	// (MaxMessageSize plus 258 bytes of framing).
	MaxFileSize int64
	// MaxBufferSize bounds the total size of the segment files on disk plus
	// the records buffered in memory; Append returns ErrFull rather than
	// exceed it. 0 means unlimited (the disk is then the bound: ENOSPC is
	// also reported as ErrFull). It must hold the largest record.
	MaxBufferSize int64
	// CursorUpdateCount is the number of Commits between two checkpoint
	// writes; 0 means 1. After a crash, at most the records committed since
	// the last checkpoint are delivered again.
	CursorUpdateCount int
	// MaxMessageSize is the largest message Append accepts and the reader
	// reads: a larger one found on disk (written with a larger limit) is
	// skipped as corrupt. 0 means DefaultMaxMessageSize.
	MaxMessageSize int
	// Logger receives warnings (corrupt records, bad checkpoint) and the
	// queue's state at Open. nil discards them.
	Logger *slog.Logger
}

// withDefaults returns o with defaults applied, or an error naming the bad
// option.
func (o Options) withDefaults() (Options, error) {
	if o.Dir == "" {
		return o, errors.New("disk queue: Options.Dir is empty")
	}
	if o.MaxMessageSize == 0 {
		o.MaxMessageSize = DefaultMaxMessageSize
	}
	if o.MaxFileSize == 0 {
		o.MaxFileSize = DefaultMaxFileSize
	}
	if o.CursorUpdateCount == 0 {
		o.CursorUpdateCount = 1
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	rec := int64(maxRecordSize(o.MaxMessageSize))
	var errs []error
	if o.MaxMessageSize < 0 || o.MaxMessageSize > 1<<30 {
		errs = append(errs, fmt.Errorf("max message size %d: want 0 to 1 GiB", o.MaxMessageSize))
	}
	if o.MaxFileSize < rec {
		errs = append(errs, fmt.Errorf("max file size %d: smaller than the largest record (%d bytes)", o.MaxFileSize, rec))
	}
	if o.MaxBufferSize != 0 && o.MaxBufferSize < rec {
		errs = append(errs, fmt.Errorf("max buffer size %d: smaller than the largest record (%d bytes)", o.MaxBufferSize, rec))
	}
	if o.CursorUpdateCount < 0 {
		errs = append(errs, fmt.Errorf("cursor update count %d: negative", o.CursorUpdateCount))
	}
	if err := errors.Join(errs...); err != nil {
		return o, fmt.Errorf("disk queue %s: %w", o.Dir, err)
	}
	return o, nil
}
