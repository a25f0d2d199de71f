// Package pipeline is hekad's plugin API: the interfaces every plugin kind
// implements (kinds.go), the Pack that carries a message through the
// pipeline (pack.go), the typed plugin registry (registry.go), the
// environment a plugin constructor receives (env.go), the options every
// plugin of a kind shares (common.go), the [hekad] globals (globals.go) and
// the errors plugins return to steer the engine (errors.go).
//
// The package is small and stable and starts no goroutines. The engine that
// runs plugins lives in pipeline/engine; plugins never import it.
//
// # Pack ownership
//
// The engine owns every Pack. A plugin sees a Pack only for the duration of
// the call that hands it over (Decode, Process, Encode, Write) and must not
// keep it, its Message, or any slice or string reached from it after that
// call returns: copy what you keep (message.Message.Clone, bytes.Clone,
// strings.Clone). The engine recycles the Pack afterwards; recycling resets
// the Message, so retained data would change under you.
//
// Exceptions: a Pack obtained from InputHost.NewPack or Injector.NewPack
// belongs to the plugin until it is passed to Deliver or Inject (after which
// the engine owns it, whether or not the call succeeded), or given back with
// Pack.Recycle.
//
// # Decoded and encoded messages
//
// A pack holds its message decoded (Message), encoded (MsgBytes, once a
// decoder called TrustBytes), or both; each form is made from the other
// the first time it is asked for. A relayed message that nothing reads is
// never decoded, and one that no output encodes is never encoded.
// Message, MessageHeaders and Bytes may be called from several goroutines;
// only the pack's owner (the decoder, the input or filter that took it
// from a pool) calls MutableMessage, before handing it on.
//
// # Concurrency
//
// The engine never calls one plugin instance from two goroutines at once:
// a filter's Process and Tick, an output's Write and Tick, are serialised.
// Decoders, encoders and splitters are templates: the engine builds a fresh
// instance per input, connection or output, so they need no locking either.
//
// # Filters added at run time
//
// A filter may add filters to the running pipeline and remove those it
// added (Env.Filters, the Filters interface): the SandboxManagerFilter
// loads sandboxes so, and live reload will use the same calls. An added
// filter is a filter like any other (its own queue, matcher, Stop hook,
// report); removing one drains it first. Neither call waits for the
// router, so a filter may make them from Process or Tick.
package pipeline
