package main

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"time"
)

// TestOversizeFrameLogged sends a framed message larger than
// max_message_size to a TcpInput, followed by more data or as the last
// thing on the connection: either way hekad logs that it skipped it.
func TestOversizeFrameLogged(t *testing.T) {
	const size = 100_000 // > the default max_message_size of 64 KiB
	header := binary.AppendUvarint([]byte{0x08}, size)
	oversize := append([]byte{0x1E, byte(len(header))}, header...)
	oversize = append(oversize, 0x1F)
	oversize = append(oversize, bytes.Repeat([]byte{'a'}, size)...)
	tests := []struct {
		name string
		data []byte
	}{
		{"last on the connection", oversize},
		{"followed by another frame", append(append([]byte{}, oversize...), 0x1E, 0x02, 0x08, 0x00, 0x1F)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := freePort(t)
			p := startHekad(t, `
[in]
type = "TcpInput"
address = "`+addr+`"

[out]
type = "LogOutput"
message_matcher = "TRUE"
encoder = "RstEncoder"

[RstEncoder]
`)
			p.waitListening(addr)
			send(t, addr, tc.data)
			waitFor(t, 30*time.Second, "a log line about the oversize frame", func() bool {
				return strings.Contains(p.Stderr(), "skipped framed data") && strings.Contains(p.Stderr(), "100000")
			})
			p.stop()
		})
	}
}
