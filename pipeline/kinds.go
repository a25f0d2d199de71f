package pipeline

import (
	"context"
	"io"

	"github.com/hekad-go/hekad/message"
)

// Input produces messages. Run returns when ctx is done (nil) or when the
// input fails (an error: wrap ErrRetry to ask for a restart per the
// plugin's retries options; any other error ends the input, and hekad
// shuts down unless can_exit is set).
type Input interface {
	Run(ctx context.Context, host InputHost) error
}

// InputHost is what the engine offers a running input.
type InputHost interface {
	// Stream reads r until EOF or until ctx is done, cutting it into records
	// with a fresh instance of the input's splitter and delivering each
	// record, through the input's decoder, to the router. src describes
	// where the stream comes from. Stream returns nil at EOF.
	Stream(ctx context.Context, r io.Reader, src Source) error
	// NewPack takes an empty pack from the input pool, blocking while the
	// pool is empty (that is backpressure) or until ctx is done.
	NewPack(ctx context.Context) (*Pack, error)
	// Deliver hands p, whose MsgBytes or Message is filled in, to the input's
	// decoder (or straight to the router when there is none). The engine
	// owns p from then on.
	Deliver(ctx context.Context, p *Pack) error
}

// Source describes one stream of an input. In text mode (the splitter does
// not deliver message bytes) the engine stamps every record's message with a
// new uuid, the current time, Logger = the input name and Payload = the
// record, then applies the non-empty fields of Source, as Heka's inputs do.
type Source struct {
	Name     string // a name for the stream, used in logs (e.g. the remote address)
	Type     string // message Type to set in text mode ("" = leave unset)
	Logger   string // message Logger to set in text mode ("" = the input name)
	Hostname string // message Hostname to set in text mode ("" = leave unset)
}

// Splitter cuts a byte stream into records. Split has the contract of
// bufio.SplitFunc: it returns how many bytes to consume and the next record,
// or (0, nil, nil) to ask for more data. A Splitter keeps per-stream state;
// the engine builds one per stream.
type Splitter interface {
	Split(data []byte, atEOF bool) (advance int, record []byte, err error)
}

// SignedSplitter is implemented by splitters that verify a signature per
// record (HekaFramingSplitter): Signer is the verified signer name of the
// record last returned by Split ("" when unsigned).
type SignedSplitter interface {
	Signer() string
}

// Decoder fills a pack's Message from the record the splitter cut: from
// p.MsgBytes when the splitter delivers message bytes (use_message_bytes),
// otherwise from the Message's Payload, which holds the record (text mode). It appends the packs to
// route to out and returns it: usually just p; nothing to drop the record;
// several when one record holds several messages (extra packs come from
// p.Spawn). A Drop error is counted and logged per log_decode_failures; any
// other error is also treated as a failure of this record only.
type Decoder interface {
	Decode(ctx context.Context, p *Pack, out []*Pack) ([]*Pack, error)
}

// RecordChecker is implemented by decoders that can check a record without
// decoding it into p.Message (ProtobufDecoder). When no plugin reads the
// messages of input packs (every message_matcher is TRUE or FALSE, no
// filter takes messages, and every output that does is a DataWriter with a
// BytesForwarder encoder), the engine calls CheckRecord instead of Decode:
// a relay of framed protobuf then forwards each message without decoding
// it. CheckRecord must fail exactly when Decode would, and otherwise leave
// p as Decode would (MsgBytes trusted) except that p.Message stays empty.
type RecordChecker interface {
	CheckRecord(ctx context.Context, p *Pack) error
}

// Filter processes every message its matcher selects. It may inject new
// messages through inj. Process returns nil when done with the pack; a Drop
// error is counted and logged and processing goes on; an error wrapping
// ErrRetry processes the same pack again after a back-off; any other error
// ends the filter (unlike Heka, which only logged it): hekad shuts down
// unless can_exit is set.
type Filter interface {
	Process(ctx context.Context, p *Pack, inj Injector) error
}

// Injector lets a filter (or ticker) inject new messages into the router.
type Injector interface {
	// NewPack takes an empty pack from the inject pool; its loop count is one
	// more than that of the message being processed.
	NewPack(ctx context.Context) (*Pack, error)
	// Inject routes p. It fails when p's message would match the injecting
	// filter's own matcher or when p exceeds max_message_loops.
	Inject(ctx context.Context, p *Pack) error
}

// Encoder serialises a message for an output. It appends to dst and returns
// the extended slice; it must not keep p. Encoders get the whole pack so that
// an unmodified message can be written from the bytes it arrived in.
type Encoder interface {
	Encode(dst []byte, p *Pack) ([]byte, error)
}

// BytesForwarder is implemented by encoders that, for a pack whose
// TrustMsgBytes is set, read nothing but p.MsgBytes (ProtobufEncoder). See
// RecordChecker.
type BytesForwarder interface {
	ForwardsMsgBytes()
}

// Output delivers records to the outside world. Return an error wrapping
// ErrRetry to have the same record written again after a back-off; a Drop
// error drops this record (counted and logged); any other error ends the
// output.
type Output interface {
	Write(ctx context.Context, r Record) error
}

// DataWriter is implemented by outputs whose Write reads nothing of a
// Record but its Data (FileOutput, TcpOutput, LogOutput). See
// RecordChecker.
type DataWriter interface {
	WritesDataOnly()
}

// Record is what an output writes: the pack, and the bytes its encoder made
// (with Heka stream framing when use_framing is on). Data is nil when the
// output has no encoder. Both are valid only until Write returns.
type Record struct {
	Pack *Pack
	Data []byte
}

// Message returns the record's message.
func (r Record) Message() *message.Message { return r.Pack.Message }

// Ticker is implemented by filters and outputs that want a call every
// ticker_interval seconds. It is never called concurrently with Process or
// Write.
type Ticker interface {
	Tick(ctx context.Context, inj Injector) error
}

// Connector is implemented by outputs that hold a connection: Connect is
// called before the first Write and again after a Write failed with
// ErrRetry. It returns when connected, when ctx is done, or with an error
// (wrap ErrRetry to be called again after a back-off).
type Connector interface {
	Connect(ctx context.Context) error
}

// Reopener is implemented by outputs that reopen their files when hekad
// receives SIGHUP (FileOutput).
type Reopener interface {
	Reopen() error
}

// Reporter is implemented by plugins that add their own figures to the
// SIGUSR1 report and heka.all-report messages. Report is called from the
// engine's reporting goroutine, concurrently with the plugin's other
// methods (so that a report never waits on a stuck plugin): read shared
// figures atomically.
type Reporter interface {
	Report() []ReportField
}

// ReportField is one figure of a plugin report.
type ReportField struct {
	Name           string
	Value          any // int64, float64, string or bool
	Representation string
}
