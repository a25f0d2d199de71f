package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

// Plugins written for these tests, registered like real ones. Instances
// are found by section name through the maps below (tests do not run in
// parallel and reset them).

var (
	instMu    sync.Mutex
	outputs   = map[string]*testOutput{}
	filters   = map[string]*testFilter{}
	inputRuns = map[string]*atomic.Int64{}
)

func resetInstances() {
	instMu.Lock()
	defer instMu.Unlock()
	outputs = map[string]*testOutput{}
	dataOutputs = map[string]*dataOutput{}
	filters = map[string]*testFilter{}
	inputRuns = map[string]*atomic.Int64{}
}

func getOutput(name string) *testOutput {
	instMu.Lock()
	defer instMu.Unlock()
	return outputs[name]
}

func getFilter(name string) *testFilter {
	instMu.Lock()
	defer instMu.Unlock()
	return filters[name]
}

func runsOf(name string) *atomic.Int64 {
	instMu.Lock()
	defer instMu.Unlock()
	if inputRuns[name] == nil {
		inputRuns[name] = new(atomic.Int64)
	}
	return inputRuns[name]
}

func init() {
	pipeline.RegisterInput("TestReaderInput", func() inCfg { return inCfg{} }, newTestInput)
	pipeline.RegisterInput("TestNoTickInput", func() inCfg { return inCfg{} }, func(c inCfg, env *pipeline.Env) (pipeline.Input, error) {
		return &plainInput{testInput{name: env.Name(), cfg: c}}, nil
	})
	pipeline.RegisterSplitter("TestLineSplitter", func() struct{} { return struct{}{} }, func(struct{}, *pipeline.Env) (pipeline.Splitter, error) {
		return lineSplitter{}, nil
	})
	pipeline.RegisterSplitter("TestSignedSplitter", func() struct{} { return struct{}{} }, func(struct{}, *pipeline.Env) (pipeline.Splitter, error) {
		return &signedSplitter{}, nil
	})
	pipeline.RegisterDecoder("TestDecoder", func() struct{} { return struct{}{} }, func(struct{}, *pipeline.Env) (pipeline.Decoder, error) {
		return testDecoder{}, nil
	})
	pipeline.RegisterDecoder("TestProtoDecoder", func() struct{} { return struct{}{} }, func(struct{}, *pipeline.Env) (pipeline.Decoder, error) {
		return protoDecoder{}, nil
	})
	pipeline.RegisterEncoder("TestProtoEncoder", func() struct{} { return struct{}{} }, func(struct{}, *pipeline.Env) (pipeline.Encoder, error) {
		return protoEncoder{}, nil
	})
	pipeline.RegisterEncoder("TestEncoder", func() struct{} { return struct{}{} }, func(struct{}, *pipeline.Env) (pipeline.Encoder, error) {
		return testEncoder{}, nil
	})
	pipeline.RegisterFilter("TestFilter", func() filtCfg { return filtCfg{} }, newTestFilter)
	pipeline.RegisterOutput("TestOutput", func() outCfg { return outCfg{} }, newTestOutput)
	pipeline.RegisterOutput("TestCountOutput", func() struct{} { return struct{}{} }, func(struct{}, *pipeline.Env) (pipeline.Output, error) {
		return &countOutput{}, nil
	})
	pipeline.RegisterOutput("TestDataOutput", func() struct{} { return struct{}{} }, func(_ struct{}, env *pipeline.Env) (pipeline.Output, error) {
		o := &dataOutput{}
		instMu.Lock()
		dataOutputs[env.Name()] = o
		instMu.Unlock()
		return o, nil
	})
}

// ---- input ----

type inCfg struct {
	Data       string // streamed through host.Stream
	Source     pipeline.Source
	After      string   // what Run does after the stream: "" wait for ctx, "return", "error", "retry"
	RetryTimes int      // with After "retry-first": the first RetryTimes runs fail with ErrRetry
	Deliver    int      // deliver this many packs through NewPack/Deliver ("d0", "d1", ...)
	Raw        [][]byte // deliver these as message bytes through NewPack/Deliver
	Feed       chan io.Reader
	Fed        chan struct{}
	Panic      bool
}

type testInput struct {
	name string
	cfg  inCfg
}

// plainInput is a testInput that does not implement Ticker.
type plainInput struct{ testInput }

type tickInput struct {
	testInput
	ticks atomic.Int64
}

func newTestInput(c inCfg, env *pipeline.Env) (pipeline.Input, error) {
	return &tickInput{testInput: testInput{name: env.Name(), cfg: c}}, nil
}

func (in *tickInput) Tick(context.Context, pipeline.Injector) error {
	in.ticks.Add(1)
	return nil
}

func (in *testInput) Run(ctx context.Context, host pipeline.InputHost) error {
	n := runsOf(in.name).Add(1)
	if in.cfg.Panic {
		panic("input exploded")
	}
	if in.cfg.After == "retry-first" && int(n) <= in.cfg.RetryTimes {
		return fmt.Errorf("flaky start %d: %w", n, pipeline.ErrRetry)
	}
	if in.cfg.Data != "" {
		if err := host.Stream(ctx, strings.NewReader(in.cfg.Data), in.cfg.Source); err != nil {
			return err
		}
	}
	for i := range in.cfg.Deliver {
		p, err := host.NewPack(ctx)
		if err != nil {
			return err
		}
		p.MutableMessage().SetPayload(fmt.Sprintf("d%d", i))
		if err := host.Deliver(ctx, p, nil); err != nil {
			return err
		}
	}
	for _, raw := range in.cfg.Raw {
		p, err := host.NewPack(ctx)
		if err != nil {
			return err
		}
		p.MsgBytes = append(p.MsgBytes[:0], raw...)
		if err := host.Deliver(ctx, p, nil); err != nil {
			return err
		}
	}
	if in.cfg.Feed != nil {
		for {
			select {
			case r := <-in.cfg.Feed:
				if err := host.Stream(ctx, r, in.cfg.Source); err != nil {
					return err
				}
				in.cfg.Fed <- struct{}{}
			case <-ctx.Done():
				return nil
			}
		}
	}
	switch in.cfg.After {
	case "return":
		return nil
	case "error":
		return errors.New("input broke")
	case "retry":
		return fmt.Errorf("always failing: %w", pipeline.ErrRetry)
	}
	<-ctx.Done()
	return nil
}

// ---- splitters, decoder, encoder ----

type lineSplitter struct{}

func (lineSplitter) Split(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i], nil
	}
	return 0, nil, nil
}

// signedSplitter cuts lines "signer|record".
type signedSplitter struct{ signer string }

func (s *signedSplitter) Split(data []byte, atEOF bool) (int, []byte, error) {
	adv, rec, err := lineSplitter{}.Split(data, atEOF)
	if rec != nil {
		if who, r, ok := bytes.Cut(rec, []byte("|")); ok {
			s.signer, rec = string(who), r
		} else {
			s.signer = ""
		}
	}
	return adv, rec, err
}

func (s *signedSplitter) Signer() string { return s.signer }

// testDecoder decodes "type:payload" records; "multi:x" yields two
// messages; "panic" panics; anything without a colon fails.
type testDecoder struct{}

func (testDecoder) Decode(ctx context.Context, p *pipeline.Pack, out []*pipeline.Pack) ([]*pipeline.Pack, error) {
	src := string(p.MsgBytes)
	if src == "" {
		src = p.Message().GetPayload()
	}
	if src == "panic" {
		panic("decoder exploded")
	}
	typ, payload, ok := strings.Cut(src, ":")
	if !ok {
		return out, fmt.Errorf("no colon in %q", src)
	}
	p.MutableMessage().SetType(typ)
	p.MutableMessage().SetPayload(payload)
	out = append(out, p)
	if typ == "multi" {
		q, err := p.Spawn(ctx)
		if err != nil {
			return out, err
		}
		q.MutableMessage().SetType("multi")
		q.MutableMessage().SetPayload(payload + "-2")
		out = append(out, q)
	}
	return out, nil
}

// protoDecoder checks protobuf message bytes and marks them trusted, as
// ProtobufDecoder does: the message is decoded only when something reads
// it.
type protoDecoder struct{}

func (protoDecoder) Decode(_ context.Context, p *pipeline.Pack, out []*pipeline.Pack) ([]*pipeline.Pack, error) {
	var c message.Checker
	if err := c.Check(p.MsgBytes); err != nil {
		return out, err
	}
	p.TrustBytes()
	return append(out, p), nil
}

// protoEncoder writes the message's encoding, as ProtobufEncoder does.
type protoEncoder struct{}

func (protoEncoder) Encode(dst []byte, p *pipeline.Pack) ([]byte, error) {
	return append(dst, p.Bytes()...), nil
}

type testEncoder struct{}

func (testEncoder) Encode(dst []byte, p *pipeline.Pack) ([]byte, error) {
	if p.Message().GetPayload() == "unencodable" {
		return dst, errors.New("cannot encode that")
	}
	return append(dst, p.Message().GetPayload()...), nil
}

// ---- filter ----

type filtCfg struct {
	InjectType string // inject a message of this type per message
	PanicOn    string // panic on this payload
	FailOn     string // return a fatal error on this payload
}

type testFilter struct {
	name string
	cfg  filtCfg
	mu   sync.Mutex
	errs []error
	seen atomic.Int64
}

func newTestFilter(c filtCfg, env *pipeline.Env) (pipeline.Filter, error) {
	f := &testFilter{name: env.Name(), cfg: c}
	instMu.Lock()
	filters[f.name] = f
	instMu.Unlock()
	return f, nil
}

func (f *testFilter) Process(ctx context.Context, p *pipeline.Pack, inj pipeline.Injector) error {
	f.seen.Add(1)
	pl := p.Message().GetPayload()
	if f.cfg.PanicOn != "" && pl == f.cfg.PanicOn {
		panic("filter exploded")
	}
	if f.cfg.FailOn != "" && pl == f.cfg.FailOn {
		return errors.New("filter gave up")
	}
	if f.cfg.InjectType == "" {
		return nil
	}
	q, err := inj.NewPack(ctx)
	if err != nil {
		f.addErr(err)
		return nil
	}
	q.MutableMessage().SetType(f.cfg.InjectType)
	q.MutableMessage().SetPayload(pl)
	if err := inj.Inject(ctx, q); err != nil {
		f.addErr(err)
	}
	return nil
}

func (f *testFilter) addErr(err error) {
	f.mu.Lock()
	f.errs = append(f.errs, err)
	f.mu.Unlock()
}

func (f *testFilter) errors() []error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]error(nil), f.errs...)
}

// ---- output ----

type outCfg struct {
	Block         bool          // Write waits until release
	Delay         time.Duration // Write sleeps this long (a slow output)
	RetryWrites   int           // the first RetryWrites writes fail with ErrRetry
	RetryConnects int           // the first RetryConnects connects fail with ErrRetry
	FailOn        string        // fatal error on this payload
	PanicOn       string        // panic on this payload
	DropOn        string        // Drop error on this payload
}

type rec struct {
	typ, payload, logger, hostname, signer string
	uuid                                   []byte
	ts                                     int64
	loop                                   int
	data                                   []byte
	msgBytes                               []byte
	fields                                 map[string]any
}

type testOutput struct {
	name     string
	cfg      outCfg
	gate     chan struct{}
	once     sync.Once
	mu       sync.Mutex
	got      []rec
	writes   atomic.Int64
	connects atomic.Int64
	reopens  atomic.Int64
	reports  atomic.Int64
}

func newTestOutput(c outCfg, env *pipeline.Env) (pipeline.Output, error) {
	o := &testOutput{name: env.Name(), cfg: c, gate: make(chan struct{})}
	instMu.Lock()
	outputs[o.name] = o
	instMu.Unlock()
	return o, nil
}

func (o *testOutput) release() { o.once.Do(func() { close(o.gate) }) }

func (o *testOutput) Connect(ctx context.Context) error {
	if n := o.connects.Add(1); int(n) <= o.cfg.RetryConnects {
		return fmt.Errorf("connection refused: %w", pipeline.ErrRetry)
	}
	return nil
}

func (o *testOutput) Reopen() error { o.reopens.Add(1); return nil }

// Tick injects a "tick" message.
func (o *testOutput) Tick(ctx context.Context, inj pipeline.Injector) error {
	p, err := inj.NewPack(ctx)
	if err != nil {
		return err
	}
	p.MutableMessage().SetType("tick")
	p.MutableMessage().SetPayload(o.name)
	return inj.Inject(ctx, p)
}

func (o *testOutput) Report() []pipeline.ReportField {
	o.reports.Add(1)
	return []pipeline.ReportField{{Name: "Memory", Value: int64(42), Representation: "B"}}
}

func (o *testOutput) Write(ctx context.Context, r pipeline.Record) error {
	n := o.writes.Add(1)
	m := r.Message()
	switch pl := m.GetPayload(); {
	case o.cfg.PanicOn != "" && pl == o.cfg.PanicOn:
		panic("output exploded")
	case o.cfg.FailOn != "" && pl == o.cfg.FailOn:
		return errors.New("output gave up")
	case o.cfg.DropOn != "" && pl == o.cfg.DropOn:
		return pipeline.Drop(errors.New("bad message"))
	}
	if int(n) <= o.cfg.RetryWrites {
		return fmt.Errorf("write timeout: %w", pipeline.ErrRetry)
	}
	if o.cfg.Block {
		select {
		case <-o.gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if o.cfg.Delay > 0 {
		time.Sleep(o.cfg.Delay)
	}
	x := rec{
		typ: m.GetType(), payload: m.GetPayload(), logger: m.GetLogger(), hostname: m.GetHostname(),
		signer: r.Pack.Signer, uuid: bytes.Clone(m.GetUuid()), ts: m.GetTimestamp(), loop: r.Pack.LoopCount,
		data: bytes.Clone(r.Data), msgBytes: bytes.Clone(r.Pack.Bytes()), fields: map[string]any{},
	}
	for _, f := range m.GetFields() {
		x.fields[f.GetName()] = f.GetValue()
	}
	o.mu.Lock()
	o.got = append(o.got, x)
	o.mu.Unlock()
	return nil
}

func (o *testOutput) records() []rec {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]rec(nil), o.got...)
}

func (o *testOutput) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.got)
}

func (o *testOutput) payloads() []string {
	var ps []string
	for _, r := range o.records() {
		ps = append(ps, r.payload)
	}
	return ps
}

// countOutput only counts (for benchmarks).
type countOutput struct{ n atomic.Int64 }

func (c *countOutput) Write(context.Context, pipeline.Record) error { c.n.Add(1); return nil }

// dataOutput keeps the Data of every record and reads nothing else of it
// (a pipeline.DataWriter).
type dataOutput struct {
	mu   sync.Mutex
	data [][]byte
}

var dataOutputs = map[string]*dataOutput{}

func (o *dataOutput) Write(_ context.Context, r pipeline.Record) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.data = append(o.data, bytes.Clone(r.Data))
	return nil
}

func (o *dataOutput) records() [][]byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.data)
}

var (
	_ pipeline.Decoder  = protoDecoder{}
	_ pipeline.Encoder  = protoEncoder{}
	_ pipeline.Output   = (*dataOutput)(nil)
	_ pipeline.Input    = (*tickInput)(nil)
	_ pipeline.Ticker   = (*tickInput)(nil)
	_ pipeline.Splitter = lineSplitter{}
	_ pipeline.Decoder  = testDecoder{}
	_ pipeline.Encoder  = testEncoder{}
	_ pipeline.Filter   = (*testFilter)(nil)
	_ pipeline.Output   = (*testOutput)(nil)
	_ pipeline.Reopener = (*testOutput)(nil)
	_ pipeline.Ticker   = (*testOutput)(nil)
	_ message.HeaderField
)
