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
	// owns p from then on. ack, when not nil, is called exactly once when
	// the engine is done with what p became (see Ack).
	Deliver(ctx context.Context, p *Pack, ack Ack) error
}

// Drainer is an input that keeps something going past the return of its
// Run at shutdown: an acknowledging TcpInput keeps its connections open to
// acknowledge what the drain settles. The engine calls Drained once the
// drain is over (every record routed was settled, or the drain time ran
// out), before the closing line; Drained must return within a few
// seconds (it is not given a context).
type Drainer interface {
	Drained()
}

// BufferedReader is implemented by a reader handed to InputHost.Stream
// that can tell how many bytes (or, on a Datagrams stream, datagrams) it
// holds already received, so that the next Read returns at once (as
// bufio.Reader.Buffered). While it holds more, the engine goes on filling
// the batch of records it hands to the router instead of handing on what
// it has before every Read: a UDP input that receives 32 datagrams per
// system call passes them on in one batch, not 32.
type BufferedReader interface {
	io.Reader
	Buffered() int
}

// Ack is called exactly once, by the engine, when it is done with a record
// an input delivered: with nil when every message the record became was
// either processed by every filter whose matcher took it and made durable
// by every output that took it (acknowledged by the destination, fsynced,
// or written to its disk queue), or dropped by a rule (no matcher took it,
// a decoder or plugin dropped it); otherwise with the reason it was lost
// (a plugin failed, hekad shut down before it was done). Ack must not
// block: it is called from the engine's goroutines.
type Ack func(err error)

// Source describes one stream of an input. In text mode (the splitter does
// not deliver message bytes) the engine stamps every record's message with a
// new uuid, the current time, Logger = the input name and Payload = the
// record, then applies the non-empty fields of Source, as Heka's inputs do.
type Source struct {
	Name     string // a name for the stream, used in logs (e.g. the remote address)
	Type     string // message Type to set in text mode ("" = leave unset)
	Logger   string // message Logger to set in text mode ("" = the input name)
	Hostname string // message Hostname to set in text mode ("" = leave unset)

	// Offset is the position in the underlying source (a file offset) of
	// the first byte Stream will read; with Commit it lets the input
	// resume where acknowledged delivery ended.
	Offset int64
	// Commit, when not nil, is called by the engine, in order and never
	// concurrently, with the source offset just past the longest prefix of
	// records that is fully acknowledged (see Ack): everything before it
	// is done with, and a restart may resume there (a seek journal, a
	// consumer offset). A record that was lost stops the prefix: offsets
	// past it are not committed. Commit must not block for long.
	Commit func(offset int64)

	// Datagrams says that every Read of the stream returns one datagram
	// (UdpInput): records never span two datagrams. What a datagram
	// leaves after its last record is delivered as a record with
	// deliver_incomplete_final and dropped otherwise (as Heka's UdpInput),
	// and the next datagram starts with a fresh splitter.
	Datagrams bool
	// Peer, when not nil on a Datagrams stream, is called after each read:
	// the text-mode records of that datagram get Hostname = its result
	// (UdpInput's set_hostname).
	Peer func() string

	// Decorate, when not nil, is called on the message of every text-mode
	// record after the stamping above, in the streaming goroutine: it adds
	// what only the input knows (ProcessInput's ExitStatus and
	// ProcessInputName fields, FilePollingInput's FilePath), as Heka's
	// pack decorators did. It must not keep m.
	Decorate func(m *message.Message)
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

// Decoder fills a pack's message from the record the splitter cut: from
// p.MsgBytes when the splitter delivers message bytes (use_message_bytes),
// otherwise from the message's Payload, which holds the record (text mode).
// A decoder that finds p.MsgBytes a valid message encoding may just call
// p.TrustBytes (the message is then decoded only if something reads it);
// one that builds the message writes it through p.MutableMessage. It
// appends the packs to route to out and returns it: usually just p;
// nothing to drop the record; several when one record holds several
// messages (extra packs come from p.Spawn, which never waits for long). A
// Drop error is counted and logged per log_decode_failures; an error
// wrapping ErrFatal stops the input that owns the decoder (hekad shuts
// down unless can_exit is set); any other error is treated as a failure of
// this record only.
type Decoder interface {
	Decode(ctx context.Context, p *Pack, out []*Pack) ([]*Pack, error)
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
// an unmodified message can be written from the bytes it arrived in
// (p.Bytes). ErrSkip writes nothing for this message (counted as dropped by
// a rule); an error wrapping ErrFatal stops the output; any other error
// drops the message and is logged.
type Encoder interface {
	Encode(dst []byte, p *Pack) ([]byte, error)
}

// Output delivers records to the outside world. Return an error wrapping
// ErrRetry to have the same record written again after a back-off; a Drop
// error drops this record (counted and logged); any other error ends the
// output.
type Output interface {
	Write(ctx context.Context, r Record) error
}

// Record is what an output writes: the pack, and the bytes its encoder made
// (with Heka stream framing when use_framing is on). Data is nil when the
// output has no encoder. Both are valid only until Write returns. A record
// is durable when Write returns nil, unless the output is a DelayedAcker.
type Record struct {
	Pack *Pack
	Data []byte
}

// Message returns the record's message.
func (r Record) Message() *message.Message { return r.Pack.Message() }

// BatchWriter is implemented by outputs that can send several encoded
// records at once (TcpOutput: one socket write instead of one per record).
// The engine hands a filter-less output its messages in batches: buffered,
// what its disk queue has ready, up to a bound; unbuffered, each batch the
// router hands it. data holds the records, each encoded (and framed with
// use_framing), concatenated in order; ends[i] is the end of record i in
// data (len(ends) records). WriteBatch writes all of them or fails as
// Write does (an ErrRetry sends the whole batch again after a back-off:
// duplicates, never loss; a Drop error drops every record of it). A
// DelayedAcker acknowledges the records of a batch as it would those of
// as many Writes. Filters are always given one record at a time.
type BatchWriter interface {
	WriteBatch(ctx context.Context, data []byte, ends []int) error
}

// DelayedAcker is implemented by outputs whose Write returns before the
// record is durable: FileOutput buffers and fsyncs later, an output may
// wait for its peer's acknowledgement. The engine calls SetAcker once,
// before the first Write, with a function the output then calls, from any
// goroutine, whenever records it accepted become durable: acked(n, nil)
// says the n oldest records it accepted and has not yet settled are
// durable; acked(n, err) says they are lost. Records are settled in the
// order Write accepted them. Whatever is unsettled when Close returns is
// counted as lost.
type DelayedAcker interface {
	SetAcker(acked func(n int, err error))
}

// Stopper is implemented by filters and outputs that have a last thing to
// do at shutdown (Heka's timer_event_on_shutdown, a sandbox's final
// report): Stop is called once, after the last message was processed,
// while the router still routes what it injects.
type Stopper interface {
	Stop(ctx context.Context, inj Injector) error
}

// Aborter is implemented by plugins that can be interrupted (a sandbox in
// a runaway script): Abort is called from another goroutine when hekad
// receives SIGUSR2 while its router is wedged, or gives up waiting at
// shutdown, and must make the plugin's current call return soon (keeping
// what it can: the engine shuts down after it). It may be called more than
// once, and concurrently with any other method. Decoders may implement it
// too: every running instance is aborted.
type Aborter interface {
	Abort()
}

// Readier is implemented by inputs that have something to set up before
// they run, such as a socket to listen on: Ready is closed once they do.
// The engine logs "input started" then (for other inputs, when Run is
// called), so a listen that fails is never preceded by that line.
type Readier interface {
	Ready() <-chan struct{}
}

// Listening is implemented by the configuration of an input that binds a
// socket: Listens returns the network ("tcp", "tcp4", "tcp6", "udp",
// "udp4", "udp6", "unix", "unixgram") and address it binds. The
// configuration loader rejects two inputs whose addresses would conflict
// (same port and overlapping addresses, or the same socket path), naming
// both sections, so that -check finds what the second listen would fail
// on. An address it cannot compare (fd:N, an empty network) is skipped.
type Listening interface {
	Listens() (network, address string)
}

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
//
// A filter that implements it is called once, before its first message
// or tick, once the engine runs: the place to do what a constructor may
// not (the SandboxManagerFilter restores its filters there through
// Env.Filters). The inputs start once every filter's first Connect has
// returned (at most 5 s), so that filters added then see every message.
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
// figures atomically. A decoder runs one instance per stream: the integer
// figures of its running instances are summed on the decoder's line. A
// decoder instance that implements io.Closer is closed when its stream
// ends.
type Reporter interface {
	Report() []ReportField
}

// ReportField is one figure of a plugin report.
type ReportField struct {
	Name           string
	Value          any // int64, float64, string or bool
	Representation string
}
