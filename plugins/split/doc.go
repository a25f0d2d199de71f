// Package split holds the splitters that cut an input's byte stream into
// records: TokenSplitter (one-byte delimiters), NullSplitter (every read is
// a record) and HekaFramingSplitter (Heka's stream framing with optional
// HMAC authentication). See README.md for their options.
package split
