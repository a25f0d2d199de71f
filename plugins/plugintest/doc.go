// Package plugintest runs hekad plugins for real in tests, without the
// engine: small but complete implementations of the interfaces the engine
// offers plugins (an InputHost that splits and collects streams, an
// Injector that stamps and collects messages), splitters for Heka framing
// and lines, polling and goroutine-leak helpers, and the conformance checks
// every plugin family runs on its registrations (the README documents every
// option with its real default; the sample configuration decodes strictly
// and validates).
//
// Nothing here is a mock: Host.Stream really reads and splits, the splitters
// really parse Heka's framing, and the checks decode TOML the way the
// configuration loader does.
package plugintest
