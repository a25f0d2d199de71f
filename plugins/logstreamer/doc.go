// Package logstreamer holds Heka's LogstreamerInput: it follows sequences
// of log files (a current file and its rotated predecessors, ordered by
// parts of their names), through rotation, and keeps a seek journal per
// stream that advances only past records the engine has acknowledged. See
// README.md for its options and guarantees.
package logstreamer
