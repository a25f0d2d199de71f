package message

import "encoding/hex"

// UUIDSize is the length in bytes of a message UUID.
const UUIDSize = 16

// DefaultSeverity is the severity of a message that does not set one (the
// proto default, syslog "debug").
const DefaultSeverity = 7

// HeaderField names one of the Message's fixed (non-Fields) attributes.
type HeaderField uint8

// The header fields, in protobuf field-number order.
const (
	HeaderUuid HeaderField = iota
	HeaderTimestamp
	HeaderType
	HeaderLogger
	HeaderSeverity
	HeaderPayload
	HeaderEnvVersion
	HeaderPid
	HeaderHostname
)

// Message is one Heka message. Header fields are read with the Get methods
// and written with the Set methods; a header field that was never set is
// omitted from the encoding, exactly as Heka does. The zero value is an empty
// message ready to use.
type Message struct {
	uuid       []byte
	timestamp  int64
	typ        string
	logger     string
	payload    string
	envVersion string
	hostname   string
	severity   int32
	pid        int32
	present    uint16 // bit i set = HeaderField(i) is present
	fields     []*Field

	uuidBuf [UUIDSize]byte // backing store for a 16-byte uuid
	arena   []byte         // backing store for decoded bytes values; reused
}

func (m *Message) set(h HeaderField) { m.present |= 1 << h }

// Has reports whether the header field h is present (was set or decoded).
func (m *Message) Has(h HeaderField) bool { return m.present&(1<<h) != 0 }

// Clear removes the header field h, so that it reads as its default and is
// not encoded.
func (m *Message) Clear(h HeaderField) {
	m.present &^= 1 << h
	switch h {
	case HeaderUuid:
		m.uuid = nil
	case HeaderTimestamp:
		m.timestamp = 0
	case HeaderType:
		m.typ = ""
	case HeaderLogger:
		m.logger = ""
	case HeaderSeverity:
		m.severity = 0
	case HeaderPayload:
		m.payload = ""
	case HeaderEnvVersion:
		m.envVersion = ""
	case HeaderPid:
		m.pid = 0
	case HeaderHostname:
		m.hostname = ""
	}
}

// Reset empties the message for reuse. It keeps the capacity of the fields
// slice and the Field values it points to, so that decoding into a reset
// Message allocates as little as possible. Fields returned by GetFields
// before Reset must not be used after it.
func (m *Message) Reset() {
	// Field by field rather than *m = Message{}: a whole-struct copy costs a
	// bulk write barrier while the GC runs, and this is on the decode path.
	m.uuid = nil
	m.timestamp = 0
	m.typ = ""
	m.logger = ""
	m.payload = ""
	m.envVersion = ""
	m.hostname = ""
	m.severity = 0
	m.pid = 0
	m.present = 0
	m.fields = m.fields[:0]
	m.arena = m.arena[:0]
}

// GetUuid returns the raw uuid bytes (normally 16), or nil when unset.
func (m *Message) GetUuid() []byte { return m.uuid }

// SetUuid copies v into the message's uuid.
func (m *Message) SetUuid(v []byte) {
	if len(v) <= UUIDSize {
		m.uuid = m.uuidBuf[:len(v)]
	} else {
		m.uuid = make([]byte, len(v))
	}
	copy(m.uuid, v)
	m.set(HeaderUuid)
}

// GetUuidString returns the uuid in its canonical lower-case hyphenated form,
// or "" when the uuid is not exactly 16 bytes long (as Heka).
func (m *Message) GetUuidString() string {
	var buf [36]byte
	if !FormatUUID(&buf, m.uuid) {
		return ""
	}
	return string(buf[:])
}

// FormatUUID writes the canonical lower-case hyphenated form of u into out and
// reports whether u is exactly 16 bytes long (out is untouched otherwise).
func FormatUUID(out *[36]byte, u []byte) bool {
	if len(u) != UUIDSize {
		return false
	}
	hex.Encode(out[0:8], u[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], u[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], u[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], u[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], u[10:16])
	return true
}

// GetTimestamp returns the timestamp in nanoseconds since the Unix epoch.
func (m *Message) GetTimestamp() int64 { return m.timestamp }

// SetTimestamp sets the timestamp in nanoseconds since the Unix epoch.
func (m *Message) SetTimestamp(v int64) { m.timestamp = v; m.set(HeaderTimestamp) }

// GetType returns the message type ("" when unset).
func (m *Message) GetType() string { return m.typ }

// SetType sets the message type.
func (m *Message) SetType(v string) { m.typ = v; m.set(HeaderType) }

// GetLogger returns the logger ("" when unset).
func (m *Message) GetLogger() string { return m.logger }

// SetLogger sets the logger.
func (m *Message) SetLogger(v string) { m.logger = v; m.set(HeaderLogger) }

// GetSeverity returns the syslog severity, DefaultSeverity (7) when unset.
func (m *Message) GetSeverity() int32 {
	if !m.Has(HeaderSeverity) {
		return DefaultSeverity
	}
	return m.severity
}

// SetSeverity sets the syslog severity.
func (m *Message) SetSeverity(v int32) { m.severity = v; m.set(HeaderSeverity) }

// GetPayload returns the payload ("" when unset).
func (m *Message) GetPayload() string { return m.payload }

// SetPayload sets the payload.
func (m *Message) SetPayload(v string) { m.payload = v; m.set(HeaderPayload) }

// GetEnvVersion returns the env_version ("" when unset).
func (m *Message) GetEnvVersion() string { return m.envVersion }

// SetEnvVersion sets the env_version.
func (m *Message) SetEnvVersion(v string) { m.envVersion = v; m.set(HeaderEnvVersion) }

// GetPid returns the process id (0 when unset).
func (m *Message) GetPid() int32 { return m.pid }

// SetPid sets the process id.
func (m *Message) SetPid(v int32) { m.pid = v; m.set(HeaderPid) }

// GetHostname returns the hostname ("" when unset).
func (m *Message) GetHostname() string { return m.hostname }

// SetHostname sets the hostname.
func (m *Message) SetHostname(v string) { m.hostname = v; m.set(HeaderHostname) }
