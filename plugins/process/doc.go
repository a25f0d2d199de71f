// Package process holds Heka's process inputs: ProcessInput, which runs a
// chain of commands (the stdout of each piped into the next) every
// ticker_interval, or once as a long-running process, and delivers the
// output; and ProcessDirectoryInput, which runs one ProcessInput per TOML
// file of a directory tree and follows the tree's changes. See README.md.
package process
