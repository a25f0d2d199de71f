package logstreamer

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"
)

// maxWindow bounds the bytes a stream keeps of what it read but the
// engine has not acknowledged yet (used to hash journal positions). Past
// it, only the last 500 bytes are kept, and commits inside what was
// dropped leave the journal where it was: duplicates, never loss.
const maxWindow = 64 << 20

// segment is a stretch of the stream's virtual offsets read from one
// file: virtual offset vstart is file offset fstart of path.
type segment struct {
	vstart, fstart int64
	path           string
	win            []byte // bytes read of the file from file offset winStart
	winStart       int64
}

// stream is one log stream: an io.Reader over its files in order, which
// follows rotation and waits for growth, and the seek journal its commits
// advance.
type stream struct {
	name    string
	in      *Input
	log     *slog.Logger
	journal string
	ctx     context.Context

	filesMu sync.Mutex
	files   []*LogFile // the latest scan's sequence, oldest first

	// Reader state, used by the streaming goroutine only.
	f          *os.File
	gz         *gzip.Reader // f's decompressed bytes, when f is compressed
	gzErr      error        // what ended gz: io.EOF, or why it ended early
	fi         os.FileInfo
	path       string
	pos        int64 // file offset of the next read
	vpos       int64 // virtual offset of the next read
	started    bool
	waited     bool   // the last look found nothing to read
	pending    string // a file to switch to once the current one stays at EOF
	lastErr    string
	lastStatAt time.Time

	mu    sync.Mutex // segments and the journal position
	segs  []*segment
	loc   Location
	dirty bool
	// tail holds the tailLen (up to hashLen) bytes before loc.Seek: loc.Hash
	// is computed from them when the journal is written, not at every
	// commit (hashing 500 bytes per acknowledgement cost a third of the
	// CPU of a file tail through a disk queue).
	tail    [hashLen]byte
	tailLen int
	stopped bool // Run returned: commits write the journal at once

	writeMu sync.Mutex
}

func (s *stream) setFiles(files []*LogFile) {
	s.filesMu.Lock()
	s.files = files
	s.filesMu.Unlock()
}

func (s *stream) getFiles() []*LogFile {
	s.filesMu.Lock()
	defer s.filesMu.Unlock()
	return s.files
}

// rescan scans the directory now and returns this stream's files.
func (s *stream) rescan() []*LogFile {
	all, _ := s.in.matcher.Scan()
	files := all[s.name]
	s.setFiles(files)
	return files
}

func (s *stream) logOnce(msg string, err error, args ...any) {
	key := msg + err.Error()
	if key == s.lastErr {
		return
	}
	s.lastErr = key
	s.log.Error(msg, append([]any{"stream", s.name, "err", err}, args...)...)
}

// Read reads the stream: the current file, then at its end whatever the
// files and their rotation say comes next. It waits (polling every
// check_data_interval) for data and returns ctx's error when ctx is done.
func (s *stream) Read(p []byte) (int, error) {
	for {
		if s.f == nil {
			s.open()
		}
		if s.f != nil && (!s.waited || s.atEOF()) {
			// After a wait, look before reading: the file may have been
			// truncated and written again past the read position.
			s.waited = false
			n, err := s.read(p)
			if n > 0 {
				s.got(p[:n])
				return n, nil
			}
			if err != nil && err != io.EOF {
				s.logOnce("cannot read the file", err, "file", s.path)
			} else if s.atEOF() {
				continue
			}
		}
		t := time.NewTimer(s.in.checkInterval)
		select {
		case <-s.ctx.Done():
			t.Stop()
			return 0, s.ctx.Err()
		case <-t.C:
		}
		s.waited = s.f != nil
	}
}

// read reads the current file, through its decompressed bytes when it is
// compressed: the end of those, or a decompression error (noted in
// s.gzErr for atEOF), reads as io.EOF.
func (s *stream) read(p []byte) (int, error) {
	if s.gz == nil {
		return s.f.Read(p)
	}
	if s.gzErr != nil {
		return 0, io.EOF
	}
	n, err := s.gz.Read(p)
	if err != nil {
		s.gzErr, err = err, io.EOF
	}
	return n, err
}

// got records bytes read from the current file.
func (s *stream) got(b []byte) {
	s.pos += int64(len(b))
	s.vpos += int64(len(b))
	s.mu.Lock()
	seg := s.segs[len(s.segs)-1]
	seg.win = append(seg.win, b...)
	if len(seg.win) > maxWindow {
		keep := seg.win[len(seg.win)-hashLen:]
		seg.winStart += int64(len(seg.win) - hashLen)
		seg.win = append(make([]byte, 0, 2*hashLen), keep...)
	}
	s.mu.Unlock()
}

// switchTo makes f, at file offset off, the current file: a new segment
// of the stream starts at the current virtual offset.
func (s *stream) switchTo(f *os.File, path string, off int64) {
	fail := func(msg string, err error) {
		if f == s.f {
			s.f = nil
		}
		f.Close()
		s.logOnce(msg, err, "file", path)
	}
	fi, err := f.Stat()
	if err != nil {
		fail("cannot stat the file", err)
		return
	}
	seg := &segment{vstart: s.vpos, fstart: off, path: path, winStart: max(0, off-hashLen)}
	var zr *gzip.Reader
	if compressed(path) {
		var before []byte
		if zr, before, err = gzipAt(f, off); err != nil {
			fail("cannot read the compressed file", err)
			return
		}
		seg.win, seg.winStart = before, off-int64(len(before))
	} else {
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			fail("cannot seek in the file", err)
			return
		}
		seg.win = make([]byte, off-seg.winStart)
		if n, _ := f.ReadAt(seg.win, seg.winStart); n < len(seg.win) {
			seg.win = seg.win[:0]
			seg.winStart = off
		}
	}
	if s.f != nil && s.f != f {
		s.f.Close()
	}
	s.f, s.fi, s.path, s.pos, s.pending = f, fi, path, off, ""
	s.gz, s.gzErr = zr, nil
	s.mu.Lock()
	s.segs = append(s.segs, seg)
	s.mu.Unlock()
	s.log.Info("reading", "stream", s.name, "file", path, "offset", off)
}

// open opens the stream's first file: where the journal says, else the
// oldest file (the newest's end with initial_tail).
func (s *stream) open() {
	files := s.rescan()
	if len(files) == 0 {
		return
	}
	if !s.started {
		s.started = true
		if loc, ok, err := loadJournal(s.journal); err != nil {
			s.log.Warn("unreadable seek journal: reading the stream from its oldest file", "stream", s.name, "err", err)
		} else if ok && loc.FileName != "" {
			if f, path := s.locate(loc, files); f != nil {
				s.switchTo(f, path, loc.Seek)
				return
			}
			s.log.Warn("the journal's position is in none of the stream's files: reading the stream from its oldest file",
				"stream", s.name, "file", loc.FileName, "seek", loc.Seek)
		} else if s.in.cfg.InitialTail {
			last := files[len(files)-1]
			if f, err := os.Open(last.Path); err == nil {
				if fi, err := f.Stat(); err == nil {
					s.switchTo(f, last.Path, fi.Size())
					return
				}
				f.Close()
			}
		}
	}
	f, err := os.Open(files[0].Path)
	if err != nil {
		s.logOnce("cannot open the file", err, "file", files[0].Path)
		return
	}
	s.switchTo(f, files[0].Path, 0)
}

// locate finds the file holding the journal's position: the journal's
// file if its bytes before the offset still hash the same, else the
// newest of the stream's files that does (the file was rotated).
func (s *stream) locate(loc Location, files []*LogFile) (*os.File, string) {
	cands := []string{loc.FileName}
	for i := len(files) - 1; i >= 0; i-- {
		if files[i].Path != loc.FileName {
			cands = append(cands, files[i].Path)
		}
	}
	for _, c := range cands {
		f, err := os.Open(c)
		if err != nil {
			continue
		}
		if compressed(c) {
			if h, ok := gzipHashAt(f, loc.Seek); ok && h == loc.Hash {
				return f, c
			}
		} else if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() >= loc.Seek {
			if h, ok := hashAt(f, loc.Seek); ok && h == loc.Hash {
				return f, c
			}
		}
		f.Close()
	}
	return nil, ""
}

// atEOF decides what follows the end of the current file: it returns true
// when there is more to read at once (the file grew, was truncated, or the
// stream moved to another file), false to wait.
func (s *stream) atEOF() bool {
	if s.gz != nil {
		return s.afterCompressed()
	}
	fi, err := s.f.Stat()
	if err != nil {
		s.logOnce("cannot stat the file", err, "file", s.path)
		return false
	}
	if fi.Size() > s.pos && s.unchanged() {
		return true
	}
	if fi.Size() != s.pos {
		s.truncated()
		return true
	}
	next := ""
	pfi, err := os.Stat(s.path)
	if err == nil && os.SameFile(pfi, fi) {
		// Still the file at its name: a newer file of the sequence
		// (found by the input's rescans) ends it.
		next = s.nextAfter(s.getFiles(), fi)
	} else {
		// Renamed away or deleted: what now follows it?
		files := s.rescan()
		next = s.nextAfter(files, fi)
		if next == "" && err == nil && pfi.Mode().IsRegular() && !s.inSequence(files, fi) {
			next = s.path // a new file where ours was
		}
	}
	if next == "" {
		s.pending = ""
		return false
	}
	if s.pending != next {
		// Give the writer one more interval to finish the old file.
		s.pending = next
		return false
	}
	return s.openNext(next)
}

// afterCompressed is atEOF for a compressed file, which is complete once
// written: at the end of its data the stream goes on with the next file of
// its sequence. A file that ends early is decompressed again from the
// stream's position if it grew (its compressor was still writing it), and
// is left, logged, when a next file is there and it stayed the same for a
// check interval; a corrupt one likewise.
func (s *stream) afterCompressed() bool {
	if s.gzErr == nil {
		return true // not at its end yet
	}
	if incomplete(s.gzErr) {
		if fi, err := os.Stat(s.path); err == nil && os.SameFile(fi, s.fi) && fi.Size() != s.fi.Size() {
			if f, err := os.Open(s.path); err == nil {
				s.switchTo(f, s.path, s.pos)
				return s.f == f
			}
		}
	}
	next := s.nextAfter(s.rescan(), s.fi)
	if next == "" {
		return false
	}
	if s.gzErr != io.EOF {
		if s.pending != next {
			s.pending = next // one more interval for its compressor
			return false
		}
		s.log.Error("compressed file ends early or is corrupt: going on with the next file",
			"stream", s.name, "file", s.path, "offset", s.pos, "err", s.gzErr)
	}
	return s.openNext(next)
}

// openNext makes next, from its start, the current file; false when it
// cannot be opened (logged).
func (s *stream) openNext(next string) bool {
	f, err := os.Open(next)
	if err != nil {
		s.logOnce("cannot open the file", err, "file", next)
		return false
	}
	s.switchTo(f, next, 0)
	return true
}

func (s *stream) inSequence(files []*LogFile, fi os.FileInfo) bool {
	for _, lf := range files {
		if os.SameFile(lf.Info, fi) {
			return true
		}
	}
	return false
}

// nextAfter returns the file that follows the current one (fi) in files:
// the one after it, or, when it is no longer among them, the first that
// sorts after its old name. "" when none.
func (s *stream) nextAfter(files []*LogFile, fi os.FileInfo) string {
	for i, lf := range files {
		if os.SameFile(lf.Info, fi) {
			if i+1 < len(files) {
				return files[i+1].Path
			}
			return ""
		}
	}
	old := s.in.matcher.parts(s.path)
	if old == nil {
		return ""
	}
	for _, lf := range files {
		if lf.Path != s.path && s.in.matcher.less(old, lf) {
			return lf.Path
		}
	}
	return ""
}

// unchanged reports whether the current file still holds, before the
// read position, the bytes read there: a file truncated and written again
// past the position between two looks is noticed by its content.
func (s *stream) unchanged() bool {
	s.mu.Lock()
	seg := s.segs[len(s.segs)-1]
	lo := max(seg.winStart, s.pos-hashLen)
	want := append([]byte(nil), seg.win[lo-seg.winStart:s.pos-seg.winStart]...)
	s.mu.Unlock()
	got := make([]byte, len(want))
	if n, _ := s.f.ReadAt(got, lo); n < len(got) {
		return false
	}
	return string(got) == string(want)
}

// truncated handles a current file that became shorter than what was
// read: copytruncate (a copy of what it held is now another file of the
// stream: go on in the copy at the same offset, then the file from its
// start) or truncation in place (read it again from its start).
func (s *stream) truncated() {
	s.mu.Lock()
	seg := s.segs[len(s.segs)-1]
	lo := max(seg.winStart, s.pos-hashLen)
	h := hashOf(seg.win[lo-seg.winStart:s.pos-seg.winStart], s.pos)
	s.mu.Unlock()
	files := s.rescan()
	for i := len(files) - 1; i >= 0; i-- {
		lf := files[i]
		if os.SameFile(lf.Info, s.fi) || lf.Info.Size() < s.pos {
			continue
		}
		f, err := os.Open(lf.Path)
		if err != nil {
			continue
		}
		if hh, ok := hashAt(f, s.pos); ok && hh == h {
			s.log.Info("file truncated; going on in its copy", "stream", s.name, "file", s.path, "copy", lf.Path, "offset", s.pos)
			old := s.f
			s.f = nil
			s.switchTo(f, lf.Path, s.pos)
			// The truncated file follows its copy in the sequence.
			old.Close()
			return
		}
		f.Close()
	}
	s.log.Info("file truncated; reading it from its start", "stream", s.name, "file", s.path, "offset", s.pos)
	s.switchTo(s.f, s.path, 0)
}

// commit is the stream's Source.Commit: v is the virtual offset past the
// longest acknowledged prefix. It moves the journal position there (when
// the bytes before it are known, to hash them) and frees what precedes.
func (s *stream) commit(v int64) {
	s.mu.Lock()
	i := 0
	for i+1 < len(s.segs) && s.segs[i+1].vstart <= v {
		i++
	}
	clear(s.segs[:i])
	s.segs = s.segs[i:]
	seg := s.segs[0]
	off := seg.fstart + (v - seg.vstart)
	lo := max(0, off-hashLen)
	if lo >= seg.winStart && off <= seg.winStart+int64(len(seg.win)) {
		s.loc = Location{Seek: off, FileName: seg.path}
		s.tailLen = copy(s.tail[:], seg.win[lo-seg.winStart:off-seg.winStart])
		s.dirty = true
		seg.win = seg.win[lo-seg.winStart:]
		seg.winStart = lo
	}
	stopped := s.stopped
	s.mu.Unlock()
	if stopped {
		s.flush(false)
	}
}

// flush writes the journal if it moved since the last write.
func (s *stream) flush(sync bool) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	loc, dirty := s.loc, s.dirty
	var tail [hashLen]byte
	n := 0
	if dirty {
		n = copy(tail[:], s.tail[:s.tailLen])
	}
	s.dirty = false
	s.mu.Unlock()
	if !dirty {
		return nil
	}
	loc.Hash = hashOf(tail[:n], loc.Seek)
	if err := saveJournal(s.journal, loc, sync); err != nil {
		s.mu.Lock()
		s.dirty = true
		s.mu.Unlock()
		return fmt.Errorf("seek journal %s: %w", s.journal, err)
	}
	return nil
}

// stop is called once the stream's goroutine has returned: the journal is
// written, and later commits (records the engine still drains) write it
// at once.
func (s *stream) stop() error {
	if s.f != nil {
		s.f.Close()
		s.f, s.gz = nil, nil
	}
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
	return s.flush(true)
}

var errStopped = errors.New("stopped")
