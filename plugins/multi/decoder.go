package multi

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/hekad-go/hekad/pipeline"
)

//go:embed MultiDecoder.toml
var sample string

func init() {
	pipeline.RegisterDecoder("MultiDecoder", defaultConfig, newDecoder, pipeline.WithSample(sample))
}

// The cascade strategies.
const (
	FirstWins = "first-wins"
	All       = "all"
)

// Config is the configuration of MultiDecoder.
type Config struct {
	// Subs names the decoder sections to run, in order (at least one). A
	// default decoder (ProtobufDecoder) may be named without a section.
	Subs []string `toml:"subs"`
	// CascadeStrategy is "first-wins" (the first sub that succeeds decodes
	// the record) or "all" (every sub decodes, in turn, every message the
	// previous ones made).
	CascadeStrategy string `toml:"cascade_strategy"`
	// LogSubErrors logs the error of every sub that fails.
	LogSubErrors bool `toml:"log_sub_errors"`
}

func defaultConfig() Config {
	return Config{Subs: []string{}, CascadeStrategy: FirstWins}
}

// Validate checks the options; errors name the key.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Subs) == 0 {
		errs = append(errs, errors.New("subs: at least one subdecoder must be named"))
	}
	for i, s := range c.Subs {
		if s == "" {
			errs = append(errs, fmt.Errorf("subs: entry %d is empty", i+1))
		}
	}
	if c.CascadeStrategy != FirstWins && c.CascadeStrategy != All {
		errs = append(errs, fmt.Errorf("cascade_strategy: must be %q or %q, got %q", FirstWins, All, c.CascadeStrategy))
	}
	return errors.Join(errs...)
}

// ErrAllFailed is the decode error of a record that no sub decoded.
var ErrAllFailed = errors.New("all subdecoders failed")

// Decoder is MultiDecoder. It owns a fresh instance of each sub, built when
// it is (so once per stream, as every decoder).
type Decoder struct {
	subs   []pipeline.Decoder
	names  []string
	all    bool
	logErr bool
	log    *slog.Logger

	// Scratch for the "all" strategy: the packs a stage decodes and the
	// packs it makes. Reused from record to record.
	cur, next []*pipeline.Pack
}

func newDecoder(c Config, env *pipeline.Env) (pipeline.Decoder, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	d := &Decoder{
		names:  slices.Clone(c.Subs),
		all:    c.CascadeStrategy == All,
		logErr: c.LogSubErrors,
		log:    env.Logger(),
	}
	var errs []error
	for _, name := range c.Subs {
		sub, err := env.Decoder(name)
		if err != nil {
			errs = append(errs, fmt.Errorf("subs: %w", err))
			continue
		}
		d.subs = append(d.subs, sub)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return d, nil
}

// Decode runs p through the subs by the cascade strategy.
//
// first-wins: each sub in turn decodes p until one succeeds (returns at
// least one pack and no error); what it returns is the result. When none
// does, the record fails with ErrAllFailed.
//
// all: the first sub decodes p; every following sub decodes, one by one,
// every pack the previous stage ended with. A sub that fails on a pack
// (an error, or no pack returned) passes that pack on unchanged. The
// record fails with ErrAllFailed only when every sub failed; otherwise the
// result is every pack the last stage ended with.
//
// A sub error wrapping pipeline.ErrFatal ends the record at once and is
// returned, so the input stops as it would with that decoder alone.
func (d *Decoder) Decode(ctx context.Context, p *pipeline.Pack, out []*pipeline.Pack) ([]*pipeline.Pack, error) {
	if d.all {
		return d.decodeAll(ctx, p, out)
	}
	n := len(out)
	for i, sub := range d.subs {
		res, err := sub.Decode(ctx, p, out)
		if err == nil && len(res) > n {
			return res, nil
		}
		release(res[n:], p)
		clear(res[n:])
		out = res[:n]
		if err != nil {
			if errors.Is(err, pipeline.ErrFatal) {
				return out, d.fatal(i, err)
			}
			d.subFailed(i, err)
		}
	}
	return out, pipeline.Drop(ErrAllFailed)
}

func (d *Decoder) decodeAll(ctx context.Context, p *pipeline.Pack, out []*pipeline.Pack) ([]*pipeline.Pack, error) {
	cur := append(d.cur[:0], p)
	next := d.next[:0]
	defer func() {
		clear(cur)
		clear(next)
		d.cur, d.next = cur[:0], next[:0]
	}()
	decoded := false
	for i, sub := range d.subs {
		next = next[:0]
		for j, q := range cur {
			before := len(next)
			res, err := sub.Decode(ctx, q, next)
			if err == nil && len(res) > before {
				decoded = true
				if q != p && !slices.Contains(res[before:], q) {
					q.Recycle() // a pack this decoder spawned, replaced
				}
				next = res
				continue
			}
			release(res[before:], q)
			clear(res[before:])
			next = res[:before]
			if err != nil {
				if errors.Is(err, pipeline.ErrFatal) {
					release(next, p)
					release(cur[j:], p) // those before j are in next or recycled
					return out, d.fatal(i, err)
				}
				d.subFailed(i, err)
			}
			next = append(next, q) // failed: passed on unchanged
		}
		cur, next = next, cur
	}
	if !decoded {
		// Every sub failed on p, so cur is just p.
		return out, pipeline.Drop(ErrAllFailed)
	}
	return append(out, cur...), nil
}

// subFailed logs the error of sub i with log_sub_errors.
func (d *Decoder) subFailed(i int, err error) {
	if d.logErr {
		d.log.Error("subdecoder decode error", "subdecoder", d.names[i], "err", err)
	}
}

func (d *Decoder) fatal(i int, err error) error {
	return fmt.Errorf("subdecoder %q: %w", d.names[i], err)
}

// release recycles the packs of ps other than keep (each once).
func release(ps []*pipeline.Pack, keep *pipeline.Pack) {
	for j, q := range ps {
		if q != nil && q != keep && !slices.Contains(ps[:j], q) {
			q.Recycle()
		}
	}
}

var (
	_ pipeline.Decoder   = (*Decoder)(nil)
	_ pipeline.Validator = (*Config)(nil)
)
