package diskqueue

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/hekad-go/hekad/message"
)

func TestRecordLayout(t *testing.T) {
	msg := testMsg(7, 200)
	rec := appendRecord(nil, msg)
	if len(rec) != recordSize(200) || len(rec) != 211 {
		t.Fatalf("record of %d bytes, recordSize %d, want 211", len(rec), recordSize(200))
	}
	want := []byte{0x1e, 8, 0x08, 0xc8, 0x01, 0x7d}
	if !bytes.Equal(rec[:6], want) {
		t.Fatalf("record starts % x, want % x", rec[:6], want)
	}
	if got := binary.LittleEndian.Uint32(rec[6:10]); got != checksum(msg) {
		t.Fatalf("crc %08x, want %08x", got, checksum(msg))
	}
	if rec[10] != 0x1f || !bytes.Equal(rec[11:], msg) {
		t.Fatal("unit separator or message misplaced")
	}
}

// Heka's header decoder (our message.Header, which mirrors it) skips the CRC
// field, and Heka's framing reader reads our segments.
func TestRecordReadableByHekaFraming(t *testing.T) {
	var seg []byte
	for i := range 50 {
		seg = appendRecord(seg, testMsg(uint64(i), 10+i*37))
	}
	r := message.NewReader(bytes.NewReader(seg), message.FrameOptions{MaxMessageSize: 4096})
	for i := range 50 {
		f, err := r.Next()
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if !bytes.Equal(f.Message, testMsg(uint64(i), 10+i*37)) {
			t.Fatalf("record %d differs", i)
		}
		if int(f.Header.MessageLength) != 10+i*37 {
			t.Fatalf("record %d: header length %d", i, f.Header.MessageLength)
		}
	}
	if _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("after the records: %v, want EOF", err)
	}
}

func TestParseHeader(t *testing.T) {
	tests := []struct {
		name   string
		hdr    []byte
		ok     bool
		length uint32
		hasCRC bool
	}{
		{"ours", []byte{0x08, 0x64, 0x7d, 1, 2, 3, 4}, true, 100, true},
		{"heka unsigned", []byte{0x08, 0x64}, true, 100, false},
		{"heka signed", []byte{0x08, 0x05, 0x22, 0x02, 'o', 'p', 0x28, 0x01, 0x32, 0x02, 9, 9}, true, 5, false},
		{"crc first", []byte{0x7d, 1, 2, 3, 4, 0x08, 0x05}, true, 5, true},
		{"unknown fields", []byte{0x10, 0x01, 0x08, 0x05, 0x79, 1, 2, 3, 4, 5, 6, 7, 8, 0x82, 0x01, 0x00}, true, 5, false},
		{"crc as varint is unknown", []byte{0x08, 0x05, 0x78, 0x01}, true, 5, false},
		{"empty", nil, false, 0, false},
		{"no length", []byte{0x7d, 1, 2, 3, 4}, false, 0, false},
		{"length too big", []byte{0x08, 0x80, 0x80, 0x01}, false, 0, false},
		{"length wrong type", []byte{0x0d, 1, 2, 3, 4}, false, 0, false},
		{"signer wrong type", []byte{0x08, 0x05, 0x20, 0x01}, false, 0, false},
		{"truncated crc", []byte{0x08, 0x05, 0x7d, 1, 2}, false, 0, false},
		{"truncated bytes", []byte{0x08, 0x05, 0x22, 0x09, 'x'}, false, 0, false},
		{"field zero", []byte{0x00, 0x08, 0x05}, false, 0, false},
		{"group", []byte{0x08, 0x05, 0x13, 0x14}, false, 0, false},
		{"bad varint", []byte{0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, false, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fh, why := parseHeader(tc.hdr, 4096)
			if (why == "") != tc.ok {
				t.Fatalf("parseHeader ok=%v (%q), want %v", why == "", why, tc.ok)
			}
			if tc.ok && (fh.length != tc.length || fh.hasCRC != tc.hasCRC) {
				t.Fatalf("got length %d crc %v, want %d %v", fh.length, fh.hasCRC, tc.length, tc.hasCRC)
			}
			checkHeaderAgrees(t, tc.hdr, 4096)
		})
	}
}

// checkHeaderAgrees holds parseHeader to be stricter than
// message.Header.Unmarshal: what it accepts, Unmarshal accepts with the same
// length.
func checkHeaderAgrees(t *testing.T, hdr []byte, maxMsg int) {
	t.Helper()
	fh, why := parseHeader(hdr, maxMsg)
	if why != "" {
		return
	}
	var h message.Header
	if err := h.Unmarshal(hdr); err != nil {
		t.Fatalf("parseHeader accepts % x, message.Header.Unmarshal: %v", hdr, err)
	}
	if h.MessageLength != fh.length {
		t.Fatalf("header % x: length %d, message.Header says %d", hdr, fh.length, h.MessageLength)
	}
}

// readAll runs a segReader over seg and returns its events.
func readAll(t *testing.T, seg []byte, maxMsg int) (recs [][]byte, bad []event) {
	t.Helper()
	sr := newSegReader(bytes.NewReader(seg), 0, int64(len(seg)), maxMsg, nil)
	pos := int64(0)
	for {
		ev, err := sr.next()
		if err != nil {
			t.Fatalf("next: %v", err)
		}
		if ev.kind == evEnd {
			if ev.start != int64(len(seg)) {
				t.Fatalf("ended at %d of %d", ev.start, len(seg))
			}
			return recs, bad
		}
		if ev.start != pos || ev.end <= ev.start {
			t.Fatalf("event %+v after position %d", ev, pos)
		}
		pos = ev.end
		switch ev.kind {
		case evRecord:
			recs = append(recs, bytes.Clone(ev.msg))
		case evCorrupt:
			if len(bad) > 0 && bad[len(bad)-1].end == ev.start {
				t.Fatalf("two corrupt runs in a row: %+v %+v", bad[len(bad)-1], ev)
			}
			bad = append(bad, ev)
		}
	}
}

func TestSegReaderSkipsCorruption(t *testing.T) {
	var seg []byte
	var ends []int
	for i := range 10 {
		seg = appendRecord(seg, testMsg(uint64(i), 100))
		ends = append(ends, len(seg))
	}
	start := func(i int) int { return ends[i] - recordSize(100) }
	tests := []struct {
		name    string
		corrupt func([]byte) []byte
		want    []uint64 // records delivered
		bad     int      // corrupt runs
	}{
		{"intact", func(b []byte) []byte { return b }, seqRange(0, 10), 0},
		{"message byte", func(b []byte) []byte { b[start(3)+50] ^= 0xff; return b }, without(seqRange(0, 10), 3), 1},
		{"crc byte", func(b []byte) []byte { b[start(4)+7] ^= 1; return b }, without(seqRange(0, 10), 4), 1},
		{"separator", func(b []byte) []byte { b[start(5)] = 'x'; return b }, without(seqRange(0, 10), 5), 1},
		{"header length", func(b []byte) []byte { b[start(5)+1] = 200; return b }, without(seqRange(0, 10), 5), 1},
		{"message length", func(b []byte) []byte { b[start(6)+3] = 0x7f; return b }, without(seqRange(0, 10), 6), 1},
		{"garbage between", func(b []byte) []byte {
			return append(append(bytes.Clone(b[:start(2)]), "garbage\x1e\x05junk"...), b[start(2):]...)
		}, seqRange(0, 10), 1},
		{"zeroed run", func(b []byte) []byte { clear(b[start(2)+10 : start(5)+10]); return b }, append(seqRange(0, 2), seqRange(6, 10)...), 1},
		{"truncated last", func(b []byte) []byte { return b[:len(b)-30] }, seqRange(0, 9), 1},
		{"truncated header", func(b []byte) []byte { return b[:start(9)+4] }, seqRange(0, 9), 1},
		{"lone separator at end", func(b []byte) []byte { return append(b, 0x1e) }, seqRange(0, 10), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs, bad := readAll(t, tc.corrupt(bytes.Clone(seg)), 4096)
			var got []uint64
			for _, r := range recs {
				got = append(got, seqOf(t, r))
			}
			if !equalSeqs(got, tc.want) || len(bad) != tc.bad {
				t.Fatalf("got %v with %d corrupt runs %+v, want %v with %d", got, len(bad), bad, tc.want, tc.bad)
			}
		})
	}
}

// A Heka-written segment (no CRCs) is read; after a record with a CRC, a
// record without one is corrupt.
func TestSegReaderHekaRecords(t *testing.T) {
	var seg []byte
	for i := range 5 {
		var err error
		if seg, err = message.AppendFrame(seg, testMsg(uint64(i), 64), nil, 4096); err != nil {
			t.Fatal(err)
		}
	}
	recs, bad := readAll(t, seg, 4096)
	if len(recs) != 5 || len(bad) != 0 {
		t.Fatalf("Heka segment: %d records, %d corrupt", len(recs), len(bad))
	}
	seg = appendRecord(seg, testMsg(5, 64))
	seg, _ = message.AppendFrame(seg, testMsg(6, 64), nil, 4096)
	recs, bad = readAll(t, seg, 4096)
	if len(recs) != 6 || len(bad) != 1 {
		t.Fatalf("mixed segment: %d records, %d corrupt, want 6 and 1", len(recs), len(bad))
	}
}

func TestSegReaderSmallMaxMessage(t *testing.T) {
	// A record larger than the reader's limit is skipped, the rest read.
	seg := appendRecord(nil, testMsg(0, 100))
	seg = appendRecord(seg, testMsg(1, 3000))
	seg = appendRecord(seg, testMsg(2, 100))
	recs, bad := readAll(t, seg, 1024)
	if len(recs) != 2 || len(bad) != 1 {
		t.Fatalf("%d records, %d corrupt, want 2 and 1", len(recs), len(bad))
	}
}

func seqRange(from, to uint64) []uint64 {
	var s []uint64
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}

func without(s []uint64, v uint64) []uint64 {
	var out []uint64
	for _, x := range s {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}

func equalSeqs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// FuzzReader feeds arbitrary bytes to the segment reader as a segment file.
// It must not panic, must account for every byte (records and corrupt runs
// tile the input), must only return records whose CRC matches, and every
// header it accepts must be one message.Header accepts with the same length.
func FuzzReader(f *testing.F) {
	var seg []byte
	for i := range 4 {
		seg = appendRecord(seg, testMsg(uint64(i), 20+i))
	}
	f.Add(seg, uint16(64))
	f.Add(seg[:len(seg)-3], uint16(1024))
	heka, _ := message.AppendFrame(nil, []byte("hello heka"), nil, 0)
	f.Add(heka, uint16(16))
	signed, _ := message.AppendFrame(nil, []byte("signed"), &message.SigningConfig{Name: "ops", Key: "k"}, 0)
	f.Add(append(signed, seg...), uint16(100))
	f.Add([]byte{0x1e, 0x00, 0x1f}, uint16(0))
	f.Add([]byte{0x1e, 0x02, 0x08, 0x05, 0x1f, 1, 2, 3, 4, 5, 0x1e}, uint16(5))
	f.Fuzz(func(t *testing.T, data []byte, maxMsg uint16) {
		max := int(maxMsg)
		if len(data) <= 255 {
			checkHeaderAgrees(t, data, max) // the data as a header
		}
		sr := newSegReader(bytes.NewReader(data), 0, int64(len(data)), max, make([]byte, 0, 64))
		pos := int64(0)
		for {
			ev, err := sr.next()
			if err != nil {
				t.Fatal(err)
			}
			if ev.kind == evEnd {
				if ev.start != int64(len(data)) {
					t.Fatalf("ended at %d of %d", ev.start, len(data))
				}
				return
			}
			if ev.start != pos || ev.end <= ev.start || ev.end > int64(len(data)) {
				t.Fatalf("event %+v at position %d of %d", ev, pos, len(data))
			}
			pos = ev.end
			if ev.kind != evRecord {
				continue
			}
			rec := data[ev.start:ev.end]
			if len(ev.msg) > max || !bytes.HasSuffix(rec, ev.msg) {
				t.Fatalf("message of %d bytes, record % x", len(ev.msg), rec)
			}
			hdr := rec[2 : 2+int(rec[1])]
			fh, why := parseHeader(hdr, max)
			if why != "" || int(fh.length) != len(ev.msg) || fh.hasCRC && fh.crc != checksum(ev.msg) {
				t.Fatalf("returned record % x: header %+v %q", rec, fh, why)
			}
			checkHeaderAgrees(t, hdr, max)
		}
	})
}
