// Package file holds Heka's FileOutput, which appends encoded records to a
// file, batching writes by Heka's flush rules, reopening the file on SIGHUP
// and optionally starting a new file every rotation period. See README.md
// for its options.
package file
