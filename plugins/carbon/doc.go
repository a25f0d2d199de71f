// Package carbon holds Heka's CarbonOutput, which writes the Graphite
// lines of heka.statmetric payloads (StatAccumInput) to a carbon daemon
// over TCP or UDP. See README.md.
package carbon
