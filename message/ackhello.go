package message

// AckHello opens a stream whose sender (a hekad TcpOutput with ack = true)
// asks the receiver for acknowledgements, and is the answer of a receiver
// that gives them (plugins/tcp, "Acknowledged shipping"). It holds no
// record separator: Heka's HekaFramingSplitter skips it silently as bytes
// before the first record, and hekad's does too (it logs the skip only at
// debug level when these are the stream's first bytes).
const AckHello = "\x00HEKAD-ACK 1\n"
