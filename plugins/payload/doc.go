// Package payload holds Heka's payload plugins: PayloadRegexDecoder, which
// parses a text payload with a regular expression and fills the message's
// headers and fields from the captures, and PayloadEncoder, which writes the
// payload back out, optionally with a strftime timestamp prefix. See
// README.md for their options.
package payload
