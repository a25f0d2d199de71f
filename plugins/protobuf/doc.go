// Package protobuf holds Heka's protobuf codec plugins: ProtobufDecoder,
// which decodes the protobuf message bytes a splitter delivered (normally
// HekaFramingSplitter) into the pack's message, and ProtobufEncoder, which
// writes a message as its protobuf encoding, forwarding the bytes it
// arrived in when it was not modified. See README.md.
package protobuf
