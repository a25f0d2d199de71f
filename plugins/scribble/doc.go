// Package scribble holds Heka's ScribbleDecoder, which sets the same static
// header and field values on every message it decodes; it is mostly used
// as the last sub of a MultiDecoder (plugins/multi). See README.md.
package scribble
