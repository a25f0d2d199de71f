// Package counter holds Heka's CounterFilter, which counts the messages it
// receives and reports the count and rate every tick. See README.md.
package counter
