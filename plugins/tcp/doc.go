// Package tcp holds Heka's stream socket plugins: TcpInput, which listens
// on a TCP or unix socket and streams every connection through the input's
// splitter and decoder, and TcpOutput, which sends encoded (by default
// framed protobuf) records to a TCP listener, reconnecting when the
// connection fails. See README.md for their options.
package tcp
