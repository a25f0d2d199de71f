// Package client sends an application's logs, counters, timers, gauges and
// exceptions to hekad as Heka messages, with the calls heka-py users know.
//
// A Client builds each message (Type, Logger, Severity, Payload, Fields,
// plus a version 4 uuid, the timestamp, the hostname, the pid and
// env_version "0.8"), encodes it as protobuf in Heka's stream framing,
// optionally HMAC-signed, and hands it to a Sender:
//
//   - DatagramSender: one framed message per datagram, over UDP or a unix
//     datagram socket, to a UdpInput with splitter "HekaFramingSplitter"
//     and decoder "ProtobufDecoder" (heka-py's UdpStream). Fire and forget.
//     DatagramOptions.BatchBytes packs several messages into one datagram.
//   - StreamSender: a framed stream over TCP or a unix stream socket, to a
//     TcpInput. It connects lazily, reconnects with back-off and queues in
//     a bounded buffer, so a slow or down hekad never blocks the
//     application; what it cannot deliver it drops and counts. With
//     StreamOptions.Ack and a TcpInput with ack = true, a record counts as
//     sent only once hekad made it durable, and what hekad did not
//     acknowledge is written again after a reconnection.
//   - BufferSender: keeps the records in memory, for tests.
//
// The calls:
//
//	c.Send(typ, logger, severity, payload, fields...)   // heka-py's heka()
//	c.Incr(name, count, rate)                          // Type "counter"
//	c.Gauge(name, value, rate)                         // Type "gauge"
//	c.TimerSend(name, elapsed, rate)                   // Type "timer"
//	c.Timer(name, rate, fn); defer c.TimerSince(name, time.Now(), rate)
//	c.Debug/Info/Notice/Warn/Error/Critical(msg, fields...)  // Type "oldstyle"
//	c.Exception(err); defer c.Recover()                // error or panic, with its stack
//	slog.New(client.NewHandler(c, nil))                // log/slog records as messages
//
// Metric calls carry the fields name (STRING) and rate (DOUBLE) and their
// value in the Payload, as heka-py sends them; a rate below 1 samples the
// calls on the client. Fields are built with String, Int, Float, Bool and
// Any.
//
// A Client and its senders are safe for concurrent use. On the steady path
// a call with scalar fields does not allocate (the DatagramSender's path is
// checked by a test). Close flushes what is queued within the context's
// deadline. docs/client.md states what each sender guarantees and how
// what it drops is counted.
package client
