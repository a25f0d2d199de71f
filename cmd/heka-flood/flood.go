package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/hekad-go/hekad/client"
)

// sender is what heka-flood needs of the client's senders.
type sender interface {
	client.Sender
	Stats() client.SenderStats
}

// flood is one run of a test.
type flood struct {
	t      *test
	tp     *templates
	s      sender
	rng    *rand.Rand
	stderr io.Writer
	// sent and bytes are read by the once-a-second reporter.
	sent, bytes atomic.Uint64
}

func newFlood(t *test, hostname string, stderr io.Writer) (*flood, error) {
	rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	tp, err := makeTemplates(t, hostname, rng)
	if err != nil {
		return nil, err
	}
	var s sender
	switch t.Sender {
	case "udp", "unixgram":
		s, err = client.NewDatagramSender(t.Sender, t.IPAddress, client.DatagramOptions{})
	default:
		s, err = client.NewStreamSender(t.Sender, t.IPAddress, client.StreamOptions{
			Block:      true,
			MinBackoff: time.Duration(t.ReconnectInterval),
			OnError: func(err error) {
				fmt.Fprintf(stderr, "heka-flood: %v\n", err)
			},
		})
	}
	if err != nil {
		return nil, err
	}
	return &flood{t: t, tp: tp, s: s, rng: rng, stderr: stderr}, nil
}

// summary is the outcome of a run.
type summary struct {
	sent, bytes, delivered, dropped uint64
	elapsed                         time.Duration
	closeErr                        error
}

// rateLine is Heka's report line: total messages sent so far, and the rates
// of n messages and b bytes over d.
func rateLine(total, n, b uint64, d time.Duration) string {
	secs := d.Seconds()
	if secs <= 0 {
		secs = math.SmallestNonzeroFloat64
	}
	return fmt.Sprintf("Sent %d messages. %0.2f msg/sec %0.2f Mbit/sec", total, float64(n)/secs, float64(b)*8/1e6/secs)
}

// rateLine is the report line of the whole run.
func (s summary) rateLine() string { return rateLine(s.sent, s.sent, s.bytes, s.elapsed) }

// picker chooses, for message number i, which template to send, as Heka's
// heka-flood does: a message is signed each time floor(i * signed%) steps
// up; otherwise oversized each time floor(i * oversized%) steps up (counted
// only over the messages not signed); corrupted, independently, each time
// floor(i * corrupt%) steps up. So the percentages are exact over a run,
// not random.
type picker struct {
	corrupt, signed, oversized             float64
	lastCorrupt, lastSigned, lastOversized float64
}

// kind is what picker chose for a message.
type kind int

const (
	kindUnsigned kind = iota
	kindSigned
	kindOversized
)

func newPicker(t *test) *picker {
	return &picker{corrupt: t.CorruptPercentage / 100, signed: t.SignedPercentage / 100, oversized: t.OversizedPercentage / 100}
}

// pick returns the kind of message number i and whether to corrupt it.
func (p *picker) pick(i uint64) (k kind, corrupt bool) {
	if c := math.Floor(float64(i) * p.corrupt); c != p.lastCorrupt {
		p.lastCorrupt, corrupt = c, true
	}
	if s := math.Floor(float64(i) * p.signed); s != p.lastSigned {
		p.lastSigned = s
		return kindSigned, corrupt
	}
	if o := math.Floor(float64(i) * p.oversized); o != p.lastOversized {
		p.lastOversized = o
		return kindOversized, corrupt
	}
	return kindUnsigned, corrupt
}

// run sends until the test's count is reached or ctx is done, reporting
// every second on out, then closes the sender.
func (f *flood) run(ctx context.Context, out io.Writer) summary {
	start := time.Now()
	reportDone := make(chan struct{})
	stopReport := make(chan struct{})
	go f.report(out, stopReport, reportDone)

	p := newPicker(f.t)
	interval := time.Duration(f.t.MessageInterval)
	var timer *time.Timer
	if interval > 0 {
		timer = time.NewTimer(interval)
		defer timer.Stop()
	}
	for i := uint64(0); f.t.NumMessages == 0 || i < f.t.NumMessages; i++ {
		if i%1024 == 0 && ctx.Err() != nil {
			break
		}
		k, corrupt := p.pick(i)
		var rec []byte
		switch {
		case k == kindSigned && f.tp.signed != nil:
			rec = f.tp.signed[f.rng.IntN(len(f.tp.signed))]
		case k == kindOversized && f.tp.oversized != nil:
			rec = f.tp.oversized
		default:
			rec = f.tp.unsigned[f.rng.IntN(len(f.tp.unsigned))]
		}
		if err := f.send(rec, corrupt); err != nil {
			fmt.Fprintf(f.stderr, "heka-flood: error sending message: %v\n", err)
		}
		f.sent.Add(1)
		f.bytes.Add(uint64(len(rec)))
		if timer != nil {
			timer.Reset(interval)
			select {
			case <-timer.C:
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				break
			}
		}
	}
	elapsed := time.Since(start)
	close(stopReport)
	<-reportDone

	cctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	closeErr := f.s.Close(cctx)
	st := f.s.Stats()
	return summary{sent: f.sent.Load(), bytes: f.bytes.Load(), delivered: st.Sent, dropped: st.Dropped, elapsed: elapsed, closeErr: closeErr}
}

// send sends rec, with one random byte replaced by a random value when
// corrupt. The template is restored at once: the senders copy or write it
// before Send returns.
func (f *flood) send(rec []byte, corrupt bool) error {
	if !corrupt {
		return f.s.Send(rec)
	}
	i := f.rng.IntN(len(rec))
	old := rec[i]
	rec[i] = byte(f.rng.Uint32())
	err := f.s.Send(rec)
	rec[i] = old
	return err
}

// report prints Heka's rate line for each second in which messages were
// sent, until stop is closed.
func (f *flood) report(out io.Writer, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	last, lastBytes, lastTime := uint64(0), uint64(0), time.Now()
	for {
		select {
		case <-stop:
			return
		case now := <-tick.C:
			n, b := f.sent.Load(), f.bytes.Load()
			if n != last {
				fmt.Fprintln(out, rateLine(n, n-last, b-lastBytes, now.Sub(lastTime)))
			}
			last, lastBytes, lastTime = n, b, now
		}
	}
}
