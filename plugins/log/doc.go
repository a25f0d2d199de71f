// Package log holds Heka's LogOutput, which prints every encoded record on
// standard output through a Go logger honouring hekad's log_flags. See
// README.md for its options.
package log
