package message

import (
	"bytes"
	"io"
	"testing"
)

// benchStream returns n framed messages of msgSize bytes each.
func benchStream(b *testing.B, n, msgSize int, signer *SigningConfig) []byte {
	var stream []byte
	for range n {
		stream = append(stream, mkFrame(b, seqBytes(msgSize), signer)...)
	}
	return stream
}

// BenchmarkReader finds the records of an in-memory stream of 1 KiB framed
// messages (without decoding them).
func BenchmarkReader(b *testing.B) {
	tests := []struct {
		name   string
		signer *SigningConfig
	}{{"unsigned", nil}, {"md5", signerMD5}, {"sha1", signerSHA1}}
	for _, tc := range tests {
		b.Run(tc.name+"/1KiB", func(b *testing.B) {
			stream := benchStream(b, 1024, 1024, tc.signer)
			opts := FrameOptions{Keys: testKeys}
			src := bytes.NewReader(stream)
			b.SetBytes(int64(len(stream)))
			b.ReportAllocs()
			for b.Loop() {
				src.Reset(stream)
				r := NewReader(src, opts)
				n := 0
				for {
					_, err := r.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != 1024 {
					b.Fatalf("%d frames, want 1024", n)
				}
			}
		})
	}
}

// BenchmarkFrameScannerSplit measures Split alone on a stream held in memory.
func BenchmarkFrameScannerSplit(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"100B", 100}, {"1KiB", 1024}, {"64KiB", 64 * 1024}} {
		b.Run(size.name, func(b *testing.B) {
			stream := benchStream(b, 64, size.n, nil)
			b.SetBytes(int64(len(stream)))
			b.ReportAllocs()
			for b.Loop() {
				s := NewFrameScanner(FrameOptions{})
				data := stream
				for len(data) > 0 {
					adv, frame, _ := s.Split(data, true)
					if frame == nil {
						b.Fatal("no frame")
					}
					data = data[adv:]
				}
			}
		})
	}
}

func BenchmarkAppendFrame(b *testing.B) {
	tests := []struct {
		name   string
		signer *SigningConfig
	}{{"unsigned", nil}, {"md5", signerMD5}, {"sha1", signerSHA1}}
	msg := seqBytes(1024)
	for _, tc := range tests {
		b.Run(tc.name+"/1KiB", func(b *testing.B) {
			buf := make([]byte, 0, 2048)
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if buf, err = AppendFrame(buf[:0], msg, tc.signer, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
		if tc.signer == nil {
			continue
		}
		b.Run(tc.name+"/FrameSigner/1KiB", func(b *testing.B) {
			s, err := NewFrameSigner(tc.signer)
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 0, 2048)
			b.SetBytes(int64(len(msg)))
			b.ReportAllocs()
			for b.Loop() {
				if buf, err = s.AppendFrame(buf[:0], msg, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkHeaderUnmarshal(b *testing.B) {
	tests := []struct {
		name   string
		signer *SigningConfig
	}{{"unsigned", nil}, {"md5", signerMD5}}
	for _, tc := range tests {
		b.Run(tc.name, func(b *testing.B) {
			frame := mkFrame(b, seqBytes(1024), tc.signer)
			hdr := frame[HeaderDelimiterSize : HeaderDelimiterSize+int(frame[1])]
			var h Header
			b.ReportAllocs()
			for b.Loop() {
				if err := h.Unmarshal(hdr); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
