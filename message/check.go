package message

import "unsafe"

// Checker tells whether bytes are a message encoding that Unmarshal
// accepts, without decoding them into a Message of the caller's: it runs
// the same parser over the bytes in place, with no copy and no allocation
// once warm. The zero Checker is ready to use; a Checker is not safe for
// concurrent use.
type Checker struct {
	scratch Message
}

// Check returns the error that Unmarshal would return for data. Until the
// next Check, the Checker may still point into data (it never reads it
// again).
func (c *Checker) Check(data []byte) error {
	m := &c.scratch
	m.resetScalars()
	var err error
	if len(data) > 0 {
		// The scratch message's strings point into data only until the
		// Reset below, and are never read: no copy is needed.
		err = m.unmarshal(data, unsafe.String(unsafe.SliceData(data), len(data)), false)
	}
	m.Reset()
	return err
}
