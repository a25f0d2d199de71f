package plugintest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/message/matcher"
	"github.com/hekad-go/hekad/pipeline"
)

// Injector is a pipeline.Injector for tests. NewPack stamps packs as the
// engine stamps injected messages (new uuid, now, Hostname, pid, loop count
// one more than LoopCount); Inject refuses what Matcher (the injecting
// plugin's own matcher, when set) selects and packs over MaxLoops, and
// keeps a copy of everything else.
type Injector struct {
	// Hostname is stamped on new packs.
	Hostname string
	// Matcher, when set, is the injecting plugin's matcher: Inject refuses
	// the messages it selects, as the engine does.
	Matcher *matcher.Matcher
	// LoopCount is the loop count of the message being processed.
	LoopCount int
	// MaxLoops is max_message_loops (0 means Heka's default, 4).
	MaxLoops int

	mu  sync.Mutex
	got []*message.Message
}

// ErrSelfInject is returned by Inject for a message the injecting plugin's
// own matcher selects.
var ErrSelfInject = errors.New("attempted to Inject a message to itself")

// NewInjector returns an Injector whose refusals follow matcherExpr ("" =
// none). It panics on a malformed expression.
func NewInjector(matcherExpr string) *Injector {
	in := &Injector{Hostname: "plugintest"}
	if matcherExpr != "" {
		in.Matcher = matcher.MustCompile(matcherExpr)
	}
	return in
}

func (in *Injector) maxLoops() int {
	if in.MaxLoops == 0 {
		return 4
	}
	return in.MaxLoops
}

// NewPack implements pipeline.Injector.
func (in *Injector) NewPack(ctx context.Context) (*pipeline.Pack, error) {
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	lc := in.LoopCount + 1
	if lc > in.maxLoops() {
		return nil, fmt.Errorf("exceeded MaxMsgLoops = %d", in.maxLoops())
	}
	p := pipeline.NewPack()
	m := p.MutableMessage()
	m.SetNewUUID()
	m.SetTimestamp(time.Now().UnixNano())
	m.SetHostname(in.Hostname)
	m.SetPid(int32(os.Getpid()))
	p.LoopCount = lc
	return p, nil
}

// Inject implements pipeline.Injector. It owns p from the call on.
func (in *Injector) Inject(ctx context.Context, p *pipeline.Pack) error {
	defer p.Recycle()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	if p.LoopCount > in.maxLoops() {
		return fmt.Errorf("exceeded MaxMsgLoops = %d", in.maxLoops())
	}
	if in.Matcher != nil && in.Matcher.Match(p.Message()) {
		return ErrSelfInject
	}
	m := p.Message().Clone()
	in.mu.Lock()
	in.got = append(in.got, m)
	in.mu.Unlock()
	return nil
}

// Messages returns copies of the injected messages, in order.
func (in *Injector) Messages() []*message.Message {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]*message.Message(nil), in.got...)
}

// Reset forgets the injected messages.
func (in *Injector) Reset() {
	in.mu.Lock()
	in.got = nil
	in.mu.Unlock()
}

var _ pipeline.Injector = (*Injector)(nil)
