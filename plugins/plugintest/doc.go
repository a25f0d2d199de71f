// Package plugintest runs hekad plugins for real in tests, without the
// engine: small but complete implementations of the interfaces the engine
// offers plugins (an InputHost that splits and collects streams, an
// Injector that stamps and collects messages), splitters for Heka framing
// and lines, polling and goroutine-leak helpers, and the conformance checks
// every plugin family runs on its registrations (the README documents every
// option with its real default; the sample configuration decodes strictly
// and validates).
//
// # Conformance suite
//
// Conform runs one registered plugin through checks every plugin of its
// kind must pass; plugins/all runs it over pipeline.Registered(), so every
// plugin of a default build is covered. The plugin is built from its
// sample configuration, with the values of its Target set over it (a
// 127.0.0.1 address with port 0, a path under t.TempDir()). Every wait is
// bounded by Deadline; nothing waits by sleeping.
//
//   - Every kind (CheckBadConfig): each option, its own and its kind's
//     common ones, given a value of the wrong TOML type, and an unknown
//     key, is rejected with an error that names the key.
//   - Inputs run on a Host whose splitter is the one the input's common
//     options name. The input starts; every case of GarbageCorpus, sent
//     on its own real connection, leaves Run running; a message holding
//     Marker sent afterwards is delivered; Run returns nil within Deadline
//     of its context being cancelled while an idle client is still
//     connected; no goroutine is left (CheckGoroutines). The suite dials
//     a Listener's Addr, or uses the Target's Dial.
//   - Splitters cut every corpus case, read in random pieces, through a
//     bufio.Scanner, which catches a broken SplitFunc contract; no panic,
//     no record over the largest record size; a valid stream yields one.
//   - Decoders get every corpus case as message bytes and as text: no
//     panic, errors rather than crashes; the same decoder then decodes
//     the Target's Valid record, and returns on a cancelled context.
//   - Encoders encode every OddMessages case without a panic, appending
//     to dst.
//   - Filters (with an Injector) and outputs (with their encoder and
//     framing as the engine sets them up, Connect first, a DelayedAcker's
//     acker set) take every odd message without a panic; Process, Write,
//     Tick and Connect return within Deadline on a cancelled context;
//     Stop and Close return; no goroutine is left.
//
// Inputs, decoders and outputs cannot run from a sample alone
// (NeedsTarget): plugins/all fails for one that has no Target.
//
// Nothing here is a mock: Host.Stream really reads and splits, the splitters
// really parse Heka's framing, and the checks decode TOML the way the
// configuration loader does.
package plugintest
