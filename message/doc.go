// Package message holds Heka's message model and everything that reads or
// writes it on the wire: the Message and Field types with Heka's accessors,
// the hand-written protobuf codec (byte-compatible with Heka 0.10 and proven
// equal to the code generated from message.proto in package pb), stream
// framing with optional HMAC signing, and the framed stream reader.
//
// Memory: a Message is meant to be reused. Reset keeps the capacity of its
// field slices, and Unmarshal into a reset Message reuses them, so a pipeline
// that recycles its Messages decodes with a single allocation per message
// (one immutable string holding the text of every string value).
//
// The message matcher lives in the sub-package matcher.
package message
