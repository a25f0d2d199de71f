package message

import "math/rand/v2"

// NewUUID returns a random (version 4, RFC 4122 variant) UUID. It draws from
// the runtime's per-thread ChaCha8 generator, which is unpredictable and
// fast enough to stamp every message of a busy input.
func NewUUID() [UUIDSize]byte {
	var u [UUIDSize]byte
	a, b := rand.Uint64(), rand.Uint64()
	for i := range 8 {
		u[i] = byte(a >> (8 * i))
		u[8+i] = byte(b >> (8 * i))
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u
}

// SetNewUUID gives m a new random UUID without allocating.
func (m *Message) SetNewUUID() {
	u := NewUUID()
	m.SetUuid(u[:])
}
