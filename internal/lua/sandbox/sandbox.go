package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"

	lua "github.com/yuin/gopher-lua"
)

// Sandbox runs one Lua script with Heka's environment and limits. It is not
// safe for concurrent use: a plugin calls it from one goroutine.
type Sandbox struct {
	cfg    Config
	log    *slog.Logger
	proto  *lua.FunctionProto
	L      *lua.LState
	meter  *meter
	mem    *memory
	out    Output
	libs   map[string]lua.LValue
	loaded *lua.LTable
	hosts  []host
	term   *TerminatedError
	closed bool
	abort  atomic.Bool

	mu    sync.Mutex // guards stats, which Stats reads from any goroutine
	stats Stats
}

// host is a registered host function.
type host struct {
	name string
	fn   lua.LGFunction
}

// Stats are a sandbox's usage figures (Heka's sandbox report fields).
type Stats struct {
	Memory          int64 // estimated bytes of the script's data at the last check
	MaxMemory       int64 // the largest estimate seen
	MaxInstructions int64 // the most instructions one call ran
	MaxOutput       int   // the largest output buffer
	MemoryWalks     int   // how many times the data was walked to estimate it
}

// New checks cfg; it does not touch the script (see Compile and Start).
func New(cfg Config) (*Sandbox, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Sandbox{cfg: cfg, log: log, out: Output{limit: cfg.OutputLimit}}, nil
}

// Compile reads and compiles the script (through Config.Cache), if that was
// not done yet, so that a missing script or a syntax error can be reported
// before Start. Start calls it.
func (s *Sandbox) Compile() error {
	if s.proto != nil {
		return nil
	}
	proto, err := s.cfg.Cache.compileFile(s.cfg.Script)
	if err != nil {
		return fmt.Errorf("sandbox %q: %w", s.cfg.Name, err)
	}
	s.proto = proto
	return nil
}

// Register makes fn the global name of the script (read_message,
// inject_message, ...). Call it before Start.
func (s *Sandbox) Register(name string, fn lua.LGFunction) {
	s.hosts = append(s.hosts, host{name, fn})
	if s.L != nil {
		s.L.SetGlobal(name, s.L.NewFunction(fn))
	}
}

// Start builds the Lua state, runs the script's global code (bounded by
// memory_limit and ctx, not by instruction_limit, as in Heka) and restores
// the preserved data. Preserved data that cannot be restored is logged and
// discarded: the script then starts clean.
func (s *Sandbox) Start(ctx context.Context) error {
	if err := s.Compile(); err != nil {
		return err
	}
	if err := s.load(ctx); err != nil {
		return err
	}
	if s.cfg.PreservationFile == "" {
		return nil
	}
	err := s.restore(ctx, s.cfg.PreservationFile)
	if err == nil {
		return nil
	}
	s.log.Warn("preserved data discarded, the sandbox starts clean", "sandbox", s.cfg.Name,
		"file", s.cfg.PreservationFile, "err", err)
	s.L.Close()
	return s.load(ctx)
}

// load builds a fresh state and runs the script's global code.
func (s *Sandbox) load(ctx context.Context) error {
	s.libs = make(map[string]lua.LValue)
	s.term = nil
	L := s.newState()
	s.L = L
	for _, h := range s.hosts {
		L.SetGlobal(h.name, L.NewFunction(h.fn))
	}
	s.meter = newMeter(&s.abort)
	if s.cfg.MemoryLimit > 0 {
		s.mem = newMemory(L, s.cfg.MemoryLimit, L.G.Global, L.G.Registry, s.loaded)
		s.meter.mem = s.mem
	}
	// Always: the context is also how Abort and the caller's context stop
	// a running script.
	L.SetContext(s.meter)
	L.Push(L.NewFunctionFromProto(s.proto))
	if err := s.pcall(ctx, "load", 0, 0); err != nil {
		return err
	}
	s.checkMemory()
	return nil
}

// checkMemory walks the data now (after loading and restoring).
func (s *Sandbox) checkMemory() {
	if s.mem != nil {
		s.mem.walk()
		s.updateStats()
	}
}

// updateStats copies the figures of the meter and the memory estimate.
func (s *Sandbox) updateStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.MaxInstructions = max(s.stats.MaxInstructions, s.meter.count)
	s.stats.MaxOutput = max(s.stats.MaxOutput, s.out.Len())
	if s.mem != nil {
		s.stats.Memory, s.stats.MaxMemory, s.stats.MemoryWalks = s.mem.est, max(s.stats.MaxMemory, s.mem.max), s.mem.walks
	}
}

// Abort makes the running call, if any, stop soon with "aborted" (within
// about a thousand instructions), and terminates the sandbox. It may be
// called from any goroutine (SIGUSR2, shutdown).
func (s *Sandbox) Abort() { s.abort.Store(true) }

// pcall calls the function below its nargs arguments on the stack, with the
// limits of fname (instruction_limit for entry points), and turns a failure
// into a TerminatedError that terminates the sandbox.
func (s *Sandbox) pcall(ctx context.Context, fname string, nargs, nret int) error {
	limit := s.cfg.InstructionLimit
	if fname == "load" {
		limit = 0
	}
	return s.pcallLimit(ctx, fname, nargs, nret, limit)
}

// pcallLimit is pcall with an explicit instruction limit (0: none).
func (s *Sandbox) pcallLimit(ctx context.Context, fname string, nargs, nret int, limit int64) (err error) {
	s.meter.reset(ctx, limit)
	defer func() {
		if r := recover(); r != nil { // gopher-lua recovers Lua errors; this is for anything else
			err = s.terminate(fname, ReasonError, fmt.Sprint("panic: ", r))
		}
	}()
	callErr := s.L.PCall(nargs, nret, nil)
	s.updateStats()
	if callErr == nil {
		return nil
	}
	msg := callErr.Error()
	var apiErr *lua.ApiError
	if errors.As(callErr, &apiErr) && apiErr.Object != nil {
		msg = apiErr.Object.String()
	}
	switch {
	case errors.Is(s.meter.err, errInstructionLimit):
		return s.terminate(fname, ReasonInstructionLimit, msgInstructionLimit)
	case errors.Is(s.meter.err, errMemoryLimit) || hasSuffix(msg, msgMemoryLimit):
		return s.terminate(fname, ReasonMemoryLimit, msgMemoryLimit)
	case hasSuffix(msg, msgOutputLimit):
		return s.terminate(fname, ReasonOutputLimit, msgOutputLimit)
	case errors.Is(s.meter.err, errAborted):
		return s.terminate(fname, ReasonAborted, msgAborted)
	case s.meter.err != nil:
		return s.terminate(fname, ReasonAborted, s.meter.err.Error())
	}
	return s.terminate(fname, ReasonError, msg)
}

func hasSuffix(s, suffix string) bool {
	return len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}

// terminate records the termination; later calls return the same error.
func (s *Sandbox) terminate(fname string, r Reason, msg string) *TerminatedError {
	s.term = &TerminatedError{Sandbox: s.cfg.Name, Func: fname, Reason: r, Msg: msg}
	return s.term
}

// Terminated is the error that terminated the sandbox, or nil.
func (s *Sandbox) Terminated() error {
	if s.term == nil {
		return nil
	}
	return s.term
}

// entry pushes the global function name, or terminates the sandbox.
func (s *Sandbox) entry(name string) error {
	if s.closed {
		return ErrClosed
	}
	if s.term != nil {
		return s.term
	}
	if s.abort.Load() {
		return s.terminate(name, ReasonAborted, msgAborted)
	}
	if s.L == nil {
		return fmt.Errorf("sandbox %q: not started", s.cfg.Name)
	}
	fn, ok := s.L.GetGlobal(name).(*lua.LFunction)
	if !ok {
		return s.terminate(name, ReasonMissing, "function was not found")
	}
	s.L.Push(fn)
	return nil
}

// ProcessMessage calls process_message() and returns its status and error
// string. A script error, a broken limit or a return value other than a
// number and an optional string terminates the sandbox (TerminatedError).
func (s *Sandbox) ProcessMessage(ctx context.Context) (status int, msg string, err error) {
	const name = "process_message"
	if err := s.entry(name); err != nil {
		return 0, "", err
	}
	if err := s.pcall(ctx, name, 0, 2); err != nil {
		return 0, "", err
	}
	st, m := s.L.Get(-2), s.L.Get(-1)
	s.L.Pop(2)
	n, ok := st.(lua.LNumber)
	if !ok {
		return 0, "", s.terminate(name, ReasonBadReturn, "must return a numeric status code")
	}
	switch m := m.(type) {
	case lua.LString:
		msg = string(m)
	case *lua.LNilType:
	default:
		return 0, "", s.terminate(name, ReasonBadReturn, "must return a nil or string error message")
	}
	return int(n), msg, nil
}

// TimerEvent calls timer_event(ns) with the tick's time in Unix nanoseconds.
func (s *Sandbox) TimerEvent(ctx context.Context, ns int64) error {
	const name = "timer_event"
	if err := s.entry(name); err != nil {
		return err
	}
	s.L.Push(lua.LNumber(ns))
	return s.pcall(ctx, name, 1, 0)
}

// Call calls the global function name with args under the entry points'
// limits and returns its first nret results.
func (s *Sandbox) Call(ctx context.Context, name string, nret int, args ...lua.LValue) ([]lua.LValue, error) {
	if err := s.entry(name); err != nil {
		return nil, err
	}
	for _, a := range args {
		s.L.Push(a)
	}
	if err := s.pcall(ctx, name, len(args), nret); err != nil {
		return nil, err
	}
	res := make([]lua.LValue, nret)
	for i := range res {
		res[i] = s.L.Get(-nret + i)
	}
	s.L.Pop(nret)
	return res, nil
}

// State is the sandbox's Lua state, for host functions that build values;
// nil before Start.
func (s *Sandbox) State() *lua.LState { return s.L }

// Output is the output buffer of add_to_payload and inject_payload.
func (s *Sandbox) Output() *Output { return &s.out }

// AddToPayload is the host function add_to_payload(...): it appends its
// arguments to the output buffer.
func (s *Sandbox) AddToPayload(L *lua.LState) int {
	s.out.Append(L, 1)
	return 0
}

// InjectPayload does the core of inject_payload([type[, name[, ...]]]): it
// appends the arguments after the second to the output buffer and returns
// the payload type ("txt" by default), its name and the buffer's content,
// which stays valid until the next change of the buffer; the caller sends it
// (when not empty) and then calls Output().Reset().
func (s *Sandbox) InjectPayload(L *lua.LState) (typ, name string, payload []byte) {
	typ = L.OptString(1, "txt")
	name = L.OptString(2, "")
	s.out.Append(L, 3)
	s.mu.Lock()
	s.stats.MaxOutput = max(s.stats.MaxOutput, s.out.Len())
	s.mu.Unlock()
	return typ, name, s.out.Bytes()
}

// Stats returns the usage figures. It may be called from any goroutine.
func (s *Sandbox) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Close preserves the script's data (when configured and the sandbox was not
// terminated) and releases the state. It returns the preservation error.
func (s *Sandbox) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	if s.L == nil {
		return nil
	}
	defer s.L.Close()
	if s.cfg.PreservationFile != "" && s.term == nil {
		return s.Preserve()
	}
	return nil
}
