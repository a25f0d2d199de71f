// Package statsd holds hekad's statsd replacement, Heka's statsd plugins:
// StatsdInput reads statsd datagrams, StatFilter makes statsd stats from
// messages, StatAccumInput aggregates both and flushes the metrics as
// heka.statmetric messages (Graphite lines in the payload, and/or fields),
// and StatsToFieldsDecoder turns such a payload back into fields.
// CarbonOutput (plugins/carbon) writes the lines to Graphite. See
// README.md and docs/metrics.md.
package statsd
