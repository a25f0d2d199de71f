package pipeline

import (
	"fmt"
	"time"
)

// InputCommon are the options every input section accepts (Heka §2.2).
type InputCommon struct {
	// Decoder names the decoder section ("" = none: records go straight to
	// the router).
	Decoder string `toml:"decoder"`
	// Splitter names the splitter section (default NullSplitter).
	Splitter string `toml:"splitter"`
	// SynchronousDecode decodes in the input's own goroutine.
	SynchronousDecode bool `toml:"synchronous_decode"`
	// DecoderWorkers is how many decoder instances decode one stream in
	// parallel, each in its own goroutine; messages keep their order. 1 is
	// Heka's behaviour. Use more only with decoders that keep no state from
	// one record to the next (PayloadRegexDecoder, ProtobufDecoder). A
	// hekad extension; ignored with synchronous_decode. From 1 to
	// DecoderWorkersLimit.
	DecoderWorkers int `toml:"decoder_workers"`
	// SendDecodeFailures routes records that failed to decode, with the
	// fields decode_failure and decode_error added.
	SendDecodeFailures bool `toml:"send_decode_failures"`
	// LogDecodeFailures logs every decode failure (default true).
	LogDecodeFailures bool `toml:"log_decode_failures"`
	// CanExit lets the input stop without shutting hekad down.
	CanExit bool `toml:"can_exit"`
	// TickerInterval (seconds) for inputs that poll.
	TickerInterval Seconds `toml:"ticker_interval"`
	// Retries governs restarts of an input that fails with ErrRetry.
	Retries RetryOptions `toml:"retries"`
}

// FilterCommon are the options every filter section accepts (Heka §2.3).
type FilterCommon struct {
	// MessageMatcher selects the messages the filter sees (required unless
	// the plugin gives a default).
	MessageMatcher string `toml:"message_matcher"`
	// MessageSigner, when set, admits only messages signed by this signer.
	MessageSigner string `toml:"message_signer"`
	// TickerInterval (seconds) between Tick calls; 0 = none.
	TickerInterval Seconds `toml:"ticker_interval"`
	// CanExit lets the filter stop without shutting hekad down.
	CanExit bool `toml:"can_exit"`
	// UseBuffering puts a disk queue between the matcher and the plugin.
	UseBuffering bool `toml:"use_buffering"`
	// Buffering configures that queue.
	Buffering BufferConfig `toml:"buffering"`
	// Retries governs restarts of a filter that fails with ErrRetry.
	Retries RetryOptions `toml:"retries"`
}

// OutputCommon are the options every output section accepts (Heka §2.3).
type OutputCommon struct {
	// MessageMatcher selects the messages the output sees.
	MessageMatcher string `toml:"message_matcher"`
	// MessageSigner, when set, admits only messages signed by this signer.
	MessageSigner string `toml:"message_signer"`
	// TickerInterval (seconds) between Tick calls; 0 = none.
	TickerInterval Seconds `toml:"ticker_interval"`
	// Encoder names the encoder section that serialises messages.
	Encoder string `toml:"encoder"`
	// UseFraming wraps every encoded message in Heka stream framing. Unset
	// means: true when the encoder is ProtobufEncoder and the output says
	// it frames by default, false otherwise.
	UseFraming *bool `toml:"use_framing"`
	// CanExit lets the output stop without shutting hekad down.
	CanExit bool `toml:"can_exit"`
	// UseBuffering puts a disk queue between the matcher and the plugin.
	UseBuffering bool `toml:"use_buffering"`
	// Buffering configures that queue.
	Buffering BufferConfig `toml:"buffering"`
	// Retries governs reconnects and restarts.
	Retries RetryOptions `toml:"retries"`
}

// SplitterCommon are the options every splitter section accepts (Heka §2.6).
type SplitterCommon struct {
	// KeepTruncated delivers the first part of an oversize record instead
	// of dropping it.
	KeepTruncated bool `toml:"keep_truncated"`
	// UseMessageBytes delivers records as message bytes (to be decoded by
	// e.g. ProtobufDecoder) rather than as a payload.
	UseMessageBytes bool `toml:"use_message_bytes"`
	// MinBufferSize is the initial read buffer; it doubles up to the
	// largest record size.
	MinBufferSize uint32 `toml:"min_buffer_size"`
	// DeliverIncompleteFinal delivers a trailing partial record at EOF.
	DeliverIncompleteFinal bool `toml:"deliver_incomplete_final"`
}

// RetryOptions is Heka's retries sub-table.
type RetryOptions struct {
	// MaxJitter is the largest random delay added to each wait.
	MaxJitter Duration `toml:"max_jitter"`
	// MaxDelay caps the doubling delay.
	MaxDelay Duration `toml:"max_delay"`
	// Delay is the first wait.
	Delay Duration `toml:"delay"`
	// MaxRetries is how many times to retry: -1 forever, 0 never.
	MaxRetries int `toml:"max_retries"`
}

// DecoderWorkersLimit bounds decoder_workers: each worker is a goroutine
// with its own decoder and batches in flight, per stream, so a large value
// multiplies memory by the number of connections.
const DecoderWorkersLimit = 64

// BufferConfig is Heka's buffering sub-table (disk queue). A table that sets
// only some keys keeps the plugin's defaults for the others.
type BufferConfig struct {
	// MaxFileSize is the size at which a queue file is rolled (0 means the
	// plugin's default). It must hold the largest record (258 +
	// max_message_size bytes); the config loader checks that, as only it
	// knows max_message_size.
	MaxFileSize uint64 `toml:"max_file_size"`
	// MaxBufferSize bounds the bytes on disk: 0 is unlimited, anything else
	// must be at least MaxFileSize.
	MaxBufferSize uint64 `toml:"max_buffer_size"`
	// FullAction is what happens when the buffer is full: shutdown, drop or block.
	FullAction string `toml:"full_action"`
	// CursorUpdateCount is how many deliveries between checkpoint writes
	// (0 means 1).
	CursorUpdateCount uint `toml:"cursor_update_count"`
}

// DefaultRetryOptions returns Heka's retries defaults.
func DefaultRetryOptions() RetryOptions {
	return RetryOptions{
		MaxJitter:  Duration(500 * time.Millisecond),
		MaxDelay:   Duration(30 * time.Second),
		Delay:      Duration(250 * time.Millisecond),
		MaxRetries: -1,
	}
}

// DefaultBufferConfig returns Heka's buffering defaults.
func DefaultBufferConfig() BufferConfig {
	return BufferConfig{MaxFileSize: 512 << 20, FullAction: "shutdown", CursorUpdateCount: 1}
}

// DefaultInputCommon returns the common input defaults.
func DefaultInputCommon() InputCommon {
	return InputCommon{Splitter: "NullSplitter", LogDecodeFailures: true, DecoderWorkers: 1, Retries: DefaultRetryOptions()}
}

// DefaultFilterCommon returns the common filter defaults.
func DefaultFilterCommon() FilterCommon {
	return FilterCommon{Retries: DefaultRetryOptions(), Buffering: DefaultBufferConfig()}
}

// DefaultOutputCommon returns the common output defaults.
func DefaultOutputCommon() OutputCommon {
	return OutputCommon{Retries: DefaultRetryOptions(), Buffering: DefaultBufferConfig()}
}

// DefaultSplitterCommon returns the common splitter defaults.
func DefaultSplitterCommon() SplitterCommon {
	return SplitterCommon{MinBufferSize: 8192}
}

// Validate checks the retries options; errors name the key.
func (r RetryOptions) Validate() error {
	if r.MaxRetries < -1 {
		return fmt.Errorf("retries.max_retries: must be -1 (forever) or more, got %d", r.MaxRetries)
	}
	if r.Delay < 0 || r.MaxDelay < 0 || r.MaxJitter < 0 {
		return fmt.Errorf("retries: delays must not be negative")
	}
	return nil
}

// Validate checks the common input options; errors name the key.
func (c InputCommon) Validate() error {
	if c.DecoderWorkers < 1 || c.DecoderWorkers > DecoderWorkersLimit {
		return fmt.Errorf("decoder_workers: must be from 1 to %d, got %d", DecoderWorkersLimit, c.DecoderWorkers)
	}
	return c.Retries.Validate()
}

// Validate checks the buffering options; errors name the key. A zero
// max_file_size counts as the standard default (the config loader replaces
// it with the plugin's before), a zero cursor_update_count as 1. That
// max_file_size holds the largest record is checked by the config loader.
func (b BufferConfig) Validate() error {
	switch b.FullAction {
	case "shutdown", "drop", "block":
	default:
		return fmt.Errorf("buffering.full_action: must be \"shutdown\", \"drop\" or \"block\", got %q", b.FullAction)
	}
	fileSize := b.MaxFileSize
	if fileSize == 0 {
		fileSize = DefaultBufferConfig().MaxFileSize
	}
	if b.MaxBufferSize != 0 && b.MaxBufferSize < fileSize {
		return fmt.Errorf("buffering.max_buffer_size: must be 0 (unlimited) or at least max_file_size (%d), got %d", fileSize, b.MaxBufferSize)
	}
	return nil
}

// The optional interfaces below let a plugin's config type change the
// common defaults of its section, as Heka's plugins do (TcpInput defaults
// to HekaFramingSplitter and ProtobufDecoder, TcpOutput buffers, CounterFilter
// has a default matcher).

// InputCommonDefaulter adjusts the common input defaults of a plugin.
type InputCommonDefaulter interface{ DefaultInputCommon(*InputCommon) }

// FilterCommonDefaulter adjusts the common filter defaults of a plugin.
type FilterCommonDefaulter interface{ DefaultFilterCommon(*FilterCommon) }

// OutputCommonDefaulter adjusts the common output defaults of a plugin.
type OutputCommonDefaulter interface{ DefaultOutputCommon(*OutputCommon) }

// SplitterCommonDefaulter adjusts the common splitter defaults of a plugin.
type SplitterCommonDefaulter interface{ DefaultSplitterCommon(*SplitterCommon) }

// FramingDefaulter is implemented by output configs whose use_framing
// defaults to true when the encoder is ProtobufEncoder (TcpOutput,
// FileOutput).
type FramingDefaulter interface{ FramesProtobufByDefault() bool }
