// Package udp holds Heka's datagram socket plugins: UdpInput, which reads
// UDP or unix datagram sockets and splits every datagram on its own through
// the input's splitter and decoder, and UdpOutput, which sends each encoded
// record as one datagram. See README.md for their options.
package udp
