package engine

import (
	"io"

	"github.com/hekad-go/hekad/pipeline"
)

// An input's decoder is built once per stream (and once per worker with
// decoder_workers), so several instances of one decoder section may run at
// once. The input runner keeps the live ones: their Report figures are
// summed into the decoder's line of the report, SIGUSR2 may Abort them, and
// an instance that implements io.Closer is closed when its stream ends (a
// sandbox decoder frees its Lua state).

// register adds w to ir's live decoders.
func (ir *inputRunner) register(w *decodeWorker) {
	ir.liveMu.Lock()
	defer ir.liveMu.Unlock()
	if ir.live == nil {
		ir.live = map[*decodeWorker]struct{}{}
	}
	ir.live[w] = struct{}{}
}

// release removes w from its input's live decoders and closes its decoder
// if it is an io.Closer (a failure is logged).
func (w *decodeWorker) release() {
	ir := w.ir
	ir.liveMu.Lock()
	delete(ir.live, w)
	ir.liveMu.Unlock()
	if c, ok := w.dec.(io.Closer); ok {
		if err := guard(c.Close); err != nil {
			ir.log.Warn("closing a decoder", "decoder", ir.decoder.name, "err", err)
		}
	}
}

// liveDecoderPlugins returns the decoder instances of ir that run now.
func (ir *inputRunner) liveDecoderPlugins() []any {
	ir.liveMu.Lock()
	defer ir.liveMu.Unlock()
	ps := make([]any, 0, len(ir.live))
	for w := range ir.live {
		ps = append(ps, w.dec)
	}
	return ps
}

// decoderFields is the decoder's own figures (pipeline.Reporter) summed
// over its live instances: integer figures of the same name are added, the
// others are taken from the first instance that has them.
func (ir *inputRunner) decoderFields() []pipeline.ReportField {
	var fs []pipeline.ReportField
	at := map[string]int{}
	for _, p := range ir.liveDecoderPlugins() {
		for _, f := range pluginFields(p) {
			i, seen := at[f.Name]
			if !seen {
				at[f.Name] = len(fs)
				fs = append(fs, f)
				continue
			}
			if a, ok := fs[i].Value.(int64); ok {
				if b, ok := f.Value.(int64); ok {
					fs[i].Value = a + b
				}
			}
		}
	}
	return fs
}
