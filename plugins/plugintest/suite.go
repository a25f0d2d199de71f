package plugintest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"reflect"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/message/matcher"
	"github.com/hekad-go/hekad/pipeline"
)

// Deadline bounds every wait of the conformance suite: a plugin that does
// not start, stop or return from a call within it fails. It is generous
// because test machines are shared and the race detector is slow; the
// suite's own tests lower it.
var Deadline = 30 * time.Second

// Marker is the payload of the good message the suite sends an input after
// malformed input; a Target's Valid record for an input must contain it.
const Marker = "plugintest-conformance-good"

// Target is what the conformance suite needs, beyond a plugin's sample
// configuration, to run one plugin for real.
type Target struct {
	// Config returns values to set over keys of the sample's section
	// (dotted keys reach sub-tables): a free 127.0.0.1 address, a path
	// under t.TempDir(). It is called after the goroutine check started,
	// so a fixture it starts (a server an output writes to) must end in
	// a t.Cleanup.
	Config func(t testing.TB) map[string]any
	// Valid is a well-formed record: for an input, what one client
	// connection sends (it must contain Marker; by default a framed
	// message when the input's splitter delivers message bytes, a line
	// otherwise); for a decoder, the record to decode (required); for a
	// splitter, a stream holding at least one record (by default a framed
	// message followed by a newline, which every splitter cuts).
	Valid []byte
	// MessageBytes says that a decoder finds Valid in the pack's message
	// bytes (use_message_bytes); otherwise Valid is the payload of a text
	// message stamped as the engine stamps them.
	MessageBytes bool
	// Dial connects to a running input that is not a Listener.
	Dial func(ctx context.Context, in pipeline.Input) (net.Conn, error)
}

// Listener is implemented by inputs that listen on a socket. The suite
// waits for Ready and then dials Addr.
type Listener interface {
	// Ready is closed once the input listens.
	Ready() <-chan struct{}
	// Addr is the address it listens on.
	Addr() net.Addr
}

// NeedsTarget reports whether plugins of kind k cannot be run from their
// sample alone: an input must be reachable on 127.0.0.1, a decoder needs a
// valid record, an output a destination of the test's own.
func NeedsTarget(k pipeline.Kind) bool {
	return k == pipeline.KindInput || k == pipeline.KindDecoder || k == pipeline.KindOutput
}

// Conform runs the conformance suite on the registered plugin typeName:
// a bad configuration value is rejected with an error naming the key
// ("config"), and the plugin runs for real ("run", by kind, see the package
// documentation). Do not call it from parallel tests: it counts goroutines.
func Conform(t *testing.T, typeName string, tg Target) {
	t.Run("config", func(t *testing.T) { CheckBadConfig(t, typeName) })
	t.Run("run", func(t *testing.T) { Run(t, typeName, tg) })
}

// Run runs the plugin typeName for real, as its kind requires (see the
// package documentation). It counts goroutines: not in parallel tests.
func Run(t testing.TB, typeName string, tg Target) {
	t.Helper()
	reg, ok := pipeline.Lookup(typeName)
	if !ok {
		t.Fatalf("%s is not registered", typeName)
	}
	switch reg.Kind {
	case pipeline.KindInput:
		conformInput(t, reg, tg)
	case pipeline.KindSplitter:
		conformSplitter(t, reg, tg)
	case pipeline.KindDecoder:
		conformDecoder(t, reg, tg)
	case pipeline.KindEncoder:
		conformEncoder(t, reg, tg)
	case pipeline.KindFilter:
		conformFilter(t, reg, tg)
	case pipeline.KindOutput:
		conformOutput(t, reg, tg)
	default:
		t.Fatalf("no conformance run for kind %v", reg.Kind)
	}
}

// built is a plugin built from its sample and a Target's overrides.
type built struct {
	plugin any
	common any // *pipeline.XCommon, nil for decoders and encoders
	cfg    any
	env    *pipeline.Env
}

// build decodes the sample with tg's overrides strictly, as the loader
// does, and builds the plugin with an Env whose base_dir is a temporary
// directory.
func build(t testing.TB, reg *pipeline.Registration, tg Target) built {
	t.Helper()
	var over map[string]any
	if tg.Config != nil {
		over = tg.Config(t)
	}
	doc, err := withValues(reg.Sample, reg.Name, over)
	if err != nil {
		t.Fatalf("%s sample: %v", reg.Name, err)
	}
	common, cfg, err := decodeConfig(doc, reg.Name)
	if err != nil {
		t.Fatalf("%s: configuration rejected: %v\n%s", reg.Name, err, doc)
	}
	g := pipeline.DefaultGlobals()
	g.BaseDir = t.TempDir()
	env := pipeline.NewEnv("conformance", reg.Name, &g, nil, nil)
	p, err := reg.Build(cfg, env)
	if err != nil {
		t.Fatalf("%s: build: %v", reg.Name, err)
	}
	return built{plugin: p, common: common, cfg: cfg, env: env}
}

// withValues returns the TOML document doc with the values over set in
// the first section of type typeName.
func withValues(doc, typeName string, over map[string]any) (string, error) {
	if len(over) == 0 {
		return doc, nil
	}
	var all map[string]any
	md, err := toml.Decode(doc, &all)
	if err != nil {
		return "", err
	}
	section := ""
	for _, key := range md.Keys() {
		if len(key) != 1 {
			continue
		}
		sec, _ := all[key[0]].(map[string]any)
		if typ, _ := sec["type"].(string); typ == typeName || (typ == "" && key[0] == typeName) {
			section = key[0]
			break
		}
	}
	if section == "" {
		section = typeName
		all[section] = map[string]any{}
	}
	for k, v := range over {
		setDotted(all[section].(map[string]any), k, v)
	}
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(all); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// setDotted sets the dotted key k of the table m to v, making the
// sub-tables on the way.
func setDotted(m map[string]any, k string, v any) {
	parts := strings.Split(k, ".")
	for _, p := range parts[:len(parts)-1] {
		sub, ok := m[p].(map[string]any)
		if !ok {
			sub = map[string]any{}
			m[p] = sub
		}
		m = sub
	}
	m[parts[len(parts)-1]] = v
}

// CheckBadConfig checks that the plugin's configuration rejects, with an
// error naming the key, a value of the wrong type for every option it
// has (its own and its kind's common options) and an unknown key.
func CheckBadConfig(t testing.TB, typeName string) {
	t.Helper()
	reg, ok := pipeline.Lookup(typeName)
	if !ok {
		t.Fatalf("%s is not registered", typeName)
	}
	if err := DecodeSection(reg.Sample, typeName); err != nil {
		t.Fatalf("%s sample: %v", typeName, err)
	}
	cfg := reg.NewConfig()
	keys := optionTypes("", reflect.TypeOf(cfg).Elem())
	if _, common := commonDefaults(reg.Kind, cfg); common.IsValid() {
		keys = append(keys, optionTypes("", common.Type())...)
	}
	type tcase struct {
		key   string
		value any
	}
	cases := []tcase{{"plugintest_unknown_key", "x"}}
	for _, k := range keys {
		cases = append(cases, tcase{k.key, wrongValue(k.typ)})
	}
	for _, tc := range cases {
		doc, err := withValues(reg.Sample, typeName, map[string]any{tc.key: tc.value})
		if err != nil {
			t.Fatalf("%s: %v", tc.key, err)
		}
		switch err := DecodeSection(doc, typeName); {
		case err == nil:
			t.Errorf("%s = %#v accepted, want an error naming %q\n%s", tc.key, tc.value, tc.key, doc)
		case !strings.Contains(err.Error(), tc.key):
			t.Errorf("%s = %#v: error %q does not name the key", tc.key, tc.value, err)
		}
	}
}

// optionType is one option key and the Go type it decodes into.
type optionType struct {
	key string
	typ reflect.Type
}

var textUnmarshaler = reflect.TypeFor[interface{ UnmarshalText([]byte) error }]()

// optionTypes lists the toml-tagged fields of the struct type t, sub-tables
// (struct fields) as dotted keys.
func optionTypes(prefix string, t reflect.Type) []optionType {
	var opts []optionType
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Struct && !reflect.PointerTo(ft).Implements(textUnmarshaler) {
			opts = append(opts, optionTypes(prefix+name+".", ft)...)
			continue
		}
		opts = append(opts, optionType{prefix + name, ft})
	}
	return opts
}

// wrongValue returns a TOML value that cannot decode into t: a string for
// tables, a table for everything else.
func wrongValue(t reflect.Type) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Map || (t.Kind() == reflect.Struct && !reflect.PointerTo(t).Implements(textUnmarshaler)) {
		return "not a table"
	}
	return map[string]any{"not_a_value": int64(1)}
}

// call runs f in a goroutine and waits for it for at most Deadline. A
// panic in f fails the test with the plugin's name and the stack; so does
// f not returning in time. It reports whether f returned normally.
func call(t testing.TB, what string, f func()) bool {
	t.Helper()
	done := make(chan any, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- fmt.Sprintf("%v\n%s", v, debug.Stack())
			}
		}()
		f()
		done <- nil
	}()
	timer := time.NewTimer(Deadline)
	defer timer.Stop()
	select {
	case v := <-done:
		if v != nil {
			t.Errorf("%s panicked: %v", what, v)
			return false
		}
		return true
	case <-timer.C:
		t.Fatalf("%s did not return within %v", what, Deadline)
		return false
	}
}

// cancelled returns a context that is already done.
func cancelled(t testing.TB) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx
}

// goodMessage returns a message holding Marker.
func goodMessage() *message.Message {
	m := new(message.Message)
	m.SetNewUUID()
	m.SetTimestamp(time.Now().UnixNano())
	m.SetType("plugintest.conformance")
	m.SetPayload(Marker)
	m.AppendField("n", message.ValueInteger, "").AddInteger(1)
	return m
}

// goodFrame returns goodMessage in Heka stream framing.
func goodFrame() []byte {
	b, err := message.AppendFrame(nil, goodMessage().Marshal(), nil, 0)
	if err != nil {
		panic(err)
	}
	return b
}

// splitterFor returns a constructor of fresh splitters of the registered
// type name (with its defaults) and whether they deliver message bytes.
func splitterFor(t testing.TB, name string, env *pipeline.Env) (func() pipeline.Splitter, bool) {
	t.Helper()
	reg, ok := pipeline.Lookup(name)
	if !ok || reg.Kind != pipeline.KindSplitter {
		t.Fatalf("splitter %q is not a registered splitter type", name)
	}
	cfg := reg.NewConfig()
	_, common := commonDefaults(pipeline.KindSplitter, cfg)
	msgBytes := common.Interface().(pipeline.SplitterCommon).UseMessageBytes
	newSplitter := func() pipeline.Splitter {
		s, err := reg.Build(cfg, env)
		if err != nil {
			panic(fmt.Sprintf("splitter %s: %v", name, err))
		}
		return s.(pipeline.Splitter)
	}
	newSplitter() // fail here rather than in a stream
	return newSplitter, msgBytes
}

// conformInput runs an input on a Host: it starts, survives every case of
// the garbage corpus (each on its own connection) without returning, then
// delivers a good message, and returns nil within the deadline of ctx being
// cancelled, with an idle client still connected, leaving no goroutine
// behind.
func conformInput(t testing.TB, reg *pipeline.Registration, tg Target) {
	CheckGoroutines(t)
	b := build(t, reg, tg)
	in := b.plugin.(pipeline.Input)
	ic := b.common.(*pipeline.InputCommon)
	newSplitter, msgBytes := splitterFor(t, ic.Splitter, b.env)
	host := NewHost("conformance", newSplitter, msgBytes)
	valid := tg.Valid
	if valid == nil {
		if msgBytes {
			valid = goodFrame()
		} else {
			valid = []byte(Marker + "\n")
		}
	}
	dial := tg.Dial
	if dial == nil {
		l, ok := in.(Listener)
		if !ok {
			t.Fatalf("%s is not a Listener (Ready, Addr) and its Target has no Dial: the suite cannot reach it", reg.Name)
		}
		dial = func(ctx context.Context, _ pipeline.Input) (net.Conn, error) {
			select {
			case <-l.Ready():
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			var d net.Dialer
			return d.DialContext(ctx, l.Addr().Network(), l.Addr().String())
		}
	}

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- fmt.Errorf("Run panicked: %v\n%s", v, debug.Stack())
			}
		}()
		done <- in.Run(ctx, host)
	}()
	alive := func(after string) {
		t.Helper()
		select {
		case err := <-done:
			t.Fatalf("Run returned %v after %s, before its context was cancelled", err, after)
		default:
		}
	}
	connect := func(after string) net.Conn {
		t.Helper()
		dctx, dcancel := context.WithTimeout(ctx, Deadline)
		defer dcancel()
		c, err := dial(dctx, in)
		if err != nil {
			alive(after)
			t.Fatalf("%s: cannot connect after %s: %v", reg.Name, after, err)
		}
		return c
	}
	send := func(after string, data []byte) {
		t.Helper()
		c := connect(after)
		defer c.Close()
		c.SetWriteDeadline(time.Now().Add(Deadline))
		// The input may close a connection that sent garbage: write
		// errors are its right.
		c.Write(data)
	}

	idle := connect("start")
	defer idle.Close()
	after := "start"
	for _, g := range GarbageCorpus(valid) {
		send(after, g.Data)
		after = "malformed input: " + g.Name
		alive(after)
	}
	send(after, valid)
	host.WaitFor(t, Deadline, "the good message after the malformed input", func(h *Host) bool {
		for _, d := range h.Deliveries() {
			if strings.Contains(d.Message.GetPayload(), Marker) {
				return true
			}
		}
		select {
		case err := <-done:
			done <- err
			return true
		default:
			return false
		}
	})
	alive("the good message")

	cancel()
	timer := time.NewTimer(Deadline)
	defer timer.Stop()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v after its context was cancelled, want nil", err)
		}
	case <-timer.C:
		t.Fatalf("Run did not return within %v of its context being cancelled", Deadline)
	}
}

// chunkReader reads its data in random pieces, so that records straddle
// reads.
type chunkReader struct {
	data []byte
	rnd  *rand.Rand
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(r.data), 1+r.rnd.IntN(4096))
	copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

// conformSplitter cuts every case of the garbage corpus, read in random
// pieces, with a fresh splitter: Split must not panic, must keep the
// bufio.SplitFunc contract (bufio.Scanner checks advance and catches a
// splitter that never progresses) and must never return a record over the
// largest record size. The valid stream must yield a record.
func conformSplitter(t testing.TB, reg *pipeline.Registration, tg Target) {
	b := build(t, reg, tg)
	first := b.plugin.(pipeline.Splitter)
	newSplitter := func() pipeline.Splitter {
		if first != nil {
			s := first
			first = nil
			return s
		}
		s, err := reg.Build(b.cfg, b.env)
		if err != nil {
			t.Fatalf("build: %v", err)
		}
		return s.(pipeline.Splitter)
	}
	valid := tg.Valid
	if valid == nil {
		valid = append(goodFrame(), '\n')
	}
	split := func(name string, data []byte, seed uint64) (records int) {
		t.Helper()
		sp := newSplitter()
		call(t, reg.Name+".Split on "+name, func() {
			sc := bufio.NewScanner(&chunkReader{data: data, rnd: rand.New(rand.NewPCG(seed, 7))})
			sc.Buffer(make([]byte, 0, 8192), message.MaxRecordSize(0))
			sc.Split(sp.Split)
			for sc.Scan() {
				records++
				if len(sc.Bytes()) > message.MaxRecordSize(0) {
					t.Errorf("%s: record of %d bytes, over the largest record size", name, len(sc.Bytes()))
				}
			}
			switch err := sc.Err(); {
			case errors.Is(err, bufio.ErrNegativeAdvance), errors.Is(err, bufio.ErrAdvanceTooFar):
				t.Errorf("%s: Split broke the SplitFunc contract: %v", name, err)
			}
		})
		return records
	}
	for i, g := range GarbageCorpus(valid) {
		split(g.Name, g.Data, uint64(i))
	}
	if n := split("valid", valid, 99); n == 0 {
		t.Errorf("no record cut from the valid stream %q", valid)
	}
}

// decodePack returns a pack holding record as the engine gives it to a
// decoder: message bytes, or the payload of a stamped text message.
func decodePack(record []byte, msgBytes bool) *pipeline.Pack {
	p := pipeline.NewPack()
	if msgBytes {
		p.MsgBytes = bytes.Clone(record) // not trusted: the decoder checks it
		return p
	}
	m := p.MutableMessage()
	m.SetNewUUID()
	m.SetTimestamp(time.Now().UnixNano())
	m.SetLogger("conformance")
	m.SetPayload(string(record))
	return p
}

// release recycles p and the packs of out, each once.
func release(p *pipeline.Pack, out []*pipeline.Pack) {
	seen := map[*pipeline.Pack]bool{}
	for _, q := range append(out, p) {
		if q != nil && !seen[q] {
			seen[q] = true
			q.Recycle()
		}
	}
}

// conformDecoder decodes every case of the garbage corpus, as message
// bytes and as text, with one decoder: Decode must not panic and must
// return an error or packs. Then the same decoder must decode the valid
// record into at least one pack, and return within the deadline when its
// context is done.
func conformDecoder(t testing.TB, reg *pipeline.Registration, tg Target) {
	if tg.Valid == nil {
		t.Fatalf("%s: the Target of a decoder needs a Valid record", reg.Name)
	}
	b := build(t, reg, tg)
	dec := b.plugin.(pipeline.Decoder)
	for _, g := range GarbageCorpus(tg.Valid) {
		for _, mb := range []bool{true, false} {
			what := fmt.Sprintf("%s.Decode of %s (message bytes %v)", reg.Name, g.Name, mb)
			p := decodePack(g.Data, mb)
			var out []*pipeline.Pack
			call(t, what, func() {
				var err error
				out, err = dec.Decode(t.Context(), p, nil)
				if err != nil && len(out) > 0 {
					t.Errorf("%s: returned %d packs with error %v", what, len(out), err)
				}
			})
			release(p, out)
		}
	}
	p := decodePack(tg.Valid, tg.MessageBytes)
	var out []*pipeline.Pack
	call(t, reg.Name+".Decode of the valid record", func() {
		var err error
		if out, err = dec.Decode(t.Context(), p, nil); err != nil || len(out) == 0 {
			t.Errorf("valid record after malformed ones: %d packs, error %v", len(out), err)
		}
	})
	release(p, out)
	p = decodePack(tg.Valid, tg.MessageBytes)
	out = nil
	call(t, reg.Name+".Decode with a cancelled context", func() { out, _ = dec.Decode(cancelled(t), p, nil) })
	release(p, out)
}

// conformEncoder encodes every odd message: Encode must not panic, and
// when it succeeds it must append to dst, keeping what dst held.
func conformEncoder(t testing.TB, reg *pipeline.Registration, tg Target) {
	b := build(t, reg, tg)
	enc := b.plugin.(pipeline.Encoder)
	prefix := []byte("plugintest-prefix|")
	for _, om := range OddMessages() {
		p := om.Pack()
		call(t, reg.Name+".Encode of "+om.Name, func() {
			dst := bytes.Clone(prefix)
			out, err := enc.Encode(dst, p)
			if err == nil && !bytes.HasPrefix(out, prefix) {
				t.Errorf("Encode of %s did not append to dst: it lost what dst held", om.Name)
			}
		})
		p.Recycle()
	}
}

// conformFilter runs a filter with an Injector: Process of every odd
// message, Tick and Stop must not panic and must return; with a cancelled
// context Process and Tick must return within the deadline; no goroutine
// is left behind.
func conformFilter(t testing.TB, reg *pipeline.Registration, tg Target) {
	CheckGoroutines(t)
	b := build(t, reg, tg)
	f := b.plugin.(pipeline.Filter)
	fc := b.common.(*pipeline.FilterCommon)
	inj := NewInjector("")
	if fc.MessageMatcher != "" {
		inj.Matcher = matcher.MustCompile(fc.MessageMatcher)
	}
	ctx := t.Context()
	for _, om := range OddMessages() {
		p := om.Pack()
		call(t, reg.Name+".Process of "+om.Name, func() { f.Process(ctx, p, inj) })
		p.Recycle()
	}
	if tk, ok := f.(pipeline.Ticker); ok {
		call(t, reg.Name+".Tick", func() { tk.Tick(ctx, inj) })
		call(t, reg.Name+".Tick with a cancelled context", func() { tk.Tick(cancelled(t), inj) })
	}
	p := OddMessages()[0].Pack()
	call(t, reg.Name+".Process with a cancelled context", func() { f.Process(cancelled(t), p, inj) })
	p.Recycle()
	if s, ok := f.(pipeline.Stopper); ok {
		call(t, reg.Name+".Stop", func() { s.Stop(ctx, inj) })
	}
	if c, ok := f.(io.Closer); ok {
		call(t, reg.Name+".Close", func() { c.Close() })
	}
}

// conformOutput runs an output as the engine does: its encoder and framing
// make each record's bytes, Connect comes first, and Write gets every odd
// message; none may panic. Write, Connect and Tick with a cancelled
// context, then Stop and Close, must return within the deadline, and no
// goroutine is left behind.
func conformOutput(t testing.TB, reg *pipeline.Registration, tg Target) {
	CheckGoroutines(t)
	b := build(t, reg, tg)
	out := b.plugin.(pipeline.Output)
	oc := b.common.(*pipeline.OutputCommon)
	var enc pipeline.Encoder
	if oc.Encoder != "" {
		ereg, ok := pipeline.Lookup(oc.Encoder)
		if !ok || ereg.Kind != pipeline.KindEncoder {
			t.Fatalf("encoder %q of the sample is not a registered encoder type", oc.Encoder)
		}
		e, err := ereg.Build(ereg.NewConfig(), b.env)
		if err != nil {
			t.Fatalf("encoder %s: %v", oc.Encoder, err)
		}
		enc = e.(pipeline.Encoder)
	}
	framing := false
	if oc.UseFraming != nil {
		framing = *oc.UseFraming
	} else if fd, ok := b.cfg.(pipeline.FramingDefaulter); ok && oc.Encoder == "ProtobufEncoder" {
		framing = fd.FramesProtobufByDefault()
	}
	record := func(p *pipeline.Pack) (pipeline.Record, bool) {
		r := pipeline.Record{Pack: p}
		if enc == nil {
			return r, true
		}
		data, err := enc.Encode(nil, p)
		if err != nil {
			return r, false // the engine drops it
		}
		if framing {
			if data, err = message.AppendFrame(nil, data, nil, b.env.MaxMessageSize()); err != nil {
				return r, false
			}
		}
		r.Data = data
		return r, true
	}

	var acked atomic.Int64
	if da, ok := out.(pipeline.DelayedAcker); ok {
		da.SetAcker(func(n int, _ error) { acked.Add(int64(n)) })
	}
	ctx := t.Context()
	if c, ok := out.(pipeline.Connector); ok {
		call(t, reg.Name+".Connect", func() {
			if err := c.Connect(ctx); err != nil {
				t.Errorf("Connect to the test's destination: %v", err)
			}
		})
	}
	for _, om := range OddMessages() {
		p := om.Pack()
		if r, ok := record(p); ok {
			call(t, reg.Name+".Write of "+om.Name, func() { out.Write(ctx, r) })
		}
		p.Recycle()
	}
	inj := NewInjector("")
	if tk, ok := out.(pipeline.Ticker); ok {
		call(t, reg.Name+".Tick", func() { tk.Tick(ctx, inj) })
		call(t, reg.Name+".Tick with a cancelled context", func() { tk.Tick(cancelled(t), inj) })
	}
	p := pipeline.NewPack()
	p.MutableMessage().SetPayload(Marker)
	if r, ok := record(p); ok {
		call(t, reg.Name+".Write with a cancelled context", func() { out.Write(cancelled(t), r) })
	}
	p.Recycle()
	if c, ok := out.(pipeline.Connector); ok {
		call(t, reg.Name+".Connect with a cancelled context", func() { c.Connect(cancelled(t)) })
	}
	if s, ok := out.(pipeline.Stopper); ok {
		call(t, reg.Name+".Stop", func() { s.Stop(ctx, inj) })
	}
	if c, ok := out.(io.Closer); ok {
		call(t, reg.Name+".Close", func() { c.Close() })
	}
}
