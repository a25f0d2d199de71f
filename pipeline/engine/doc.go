// Package engine runs a pipeline described by a config.Plan: it builds every
// plugin, owns the two pack pools (input and inject), drives inputs through
// their splitters and decoders, routes packs to the filters and outputs
// whose matchers select them, retries failing plugins with Heka's back-off,
// and shuts everything down in data-flow order without losing what reached
// an output.
//
// # Data flow
//
//	input ─Stream─▶ splitter ─▶ [decoder goroutine] ─batch─▶ router ─batch─▶ filter / output goroutine
//	filter ─Inject──────────────────────────────────────────▶ router (inject queue, never blocks)
//
// Packs travel between goroutines in batches (a slice of packs per channel
// operation), flushed when full or when the producer has nothing more ready,
// so a channel hand-off is paid once per batch rather than once per message.
// The router evaluates every matcher itself (one goroutine, no per-plugin
// match goroutines) and sends each filter and output only the packs it
// matched, with one reference each.
//
// # Reports
//
// Engine.Snapshot is every figure of the SIGUSR1 report, typed; Report
// writes it as text, InjectReports routes it as heka.all-report (with
// heka.memstat) every [hekad] report_interval or when a plugin asks
// through pipeline.Env.Reports; Stats are its message totals, those of the
// closing line. AbortIfWedged is SIGUSR2. See docs/reports.md.
//
// # Filters added and removed at run time
//
// Engine.AddFilter builds a filter and has the router start it and route
// to it from its next batch on; Engine.RemoveFilter has the router stop
// routing to one, hand it what was pending, and let it drain and run its
// Stop hook before it is forgotten (its figures stay in Stats). Neither
// waits for the router. Filters reach them through pipeline.Filters
// (Env.Filters): the SandboxManagerFilter loads sandboxes so; live reload
// will use the engine's calls.
//
// Deadlock avoidance, lock order and the rules every stage follows are
// written down in docs/locks.md.
package engine
