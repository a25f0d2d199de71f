package logstreamer

import (
	"os"
	"testing"
	"time"
)

// TestRotation follows access.log through each kind of rotation: every
// line once, in order.
func TestRotation(t *testing.T) {
	cases := []struct {
		name   string
		rotate func(t *testing.T, dir string)
	}{
		{"rename and create", func(t *testing.T, dir string) {
			mustRename(t, join(dir, "access.log"), join(dir, "access.log.1"))
			appendLines(t, join(dir, "access.log.1"), 100, 110) // the writer had not reopened yet
			time.Sleep(20 * time.Millisecond)
			appendLines(t, join(dir, "access.log"), 110, 200)
		}},
		{"copytruncate", func(t *testing.T, dir string) {
			data, err := os.ReadFile(join(dir, "access.log"))
			if err != nil {
				t.Fatal(err)
			}
			appendLines(t, join(dir, "access.log"), 100, 110) // written before the copy
			data, _ = os.ReadFile(join(dir, "access.log"))
			os.WriteFile(join(dir, "access.log.1"), data, 0o644)
			os.Truncate(join(dir, "access.log"), 0)
			appendLines(t, join(dir, "access.log"), 110, 200)
		}},
		{"truncate", func(t *testing.T, dir string) {
			time.Sleep(100 * time.Millisecond) // everything read
			os.Truncate(join(dir, "access.log"), 0)
			appendLines(t, join(dir, "access.log"), 100, 200)
		}},
		{"deleted while read, then created", func(t *testing.T, dir string) {
			time.Sleep(100 * time.Millisecond)
			os.Remove(join(dir, "access.log"))
			time.Sleep(100 * time.Millisecond)
			appendLines(t, join(dir, "access.log"), 100, 200)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, jdir := t.TempDir(), t.TempDir()
			appendLines(t, join(dir, "access.log"), 0, 100)
			r := start(t, accessConfig(dir), jdir)
			r.host.waitLines(t, 100)
			c.rotate(t, dir)
			got := r.host.waitLines(t, 200)
			time.Sleep(100 * time.Millisecond)
			wantLines(t, r.host.got(), 0, 200)
			_ = got
			r.stop(t)
		})
	}
}

// TestSequence reads rotated files oldest first, then a file that appears
// later in the sequence.
func TestSequence(t *testing.T) {
	dir, jdir := t.TempDir(), t.TempDir()
	appendLines(t, join(dir, "access.log.2"), 0, 10)
	appendLines(t, join(dir, "access.log.1"), 10, 20)
	appendLines(t, join(dir, "access.log"), 20, 30)
	r := start(t, accessConfig(dir), jdir)
	r.host.waitLines(t, 30)
	wantLines(t, r.host.got(), 0, 30)
	r.stop(t)

	// Dated files: a new one appears after the current one.
	dir2, jdir2 := t.TempDir(), t.TempDir()
	cfg := DefaultConfig()
	cfg.LogDirectory = dir2
	cfg.FileMatch = `app-(?P<Day>\d+)\.log`
	cfg.Priority = []string{"Day"}
	appendLines(t, join(dir2, "app-01.log"), 0, 10)
	r = start(t, cfg, jdir2)
	r.host.waitLines(t, 10)
	appendLines(t, join(dir2, "app-02.log"), 10, 20)
	r.host.waitLines(t, 20)
	wantLines(t, r.host.got(), 0, 20)
	r.stop(t)
}

// TestRestartResumes stops mid-file and starts again: the second run
// begins where the journal says, also after the file was rotated away.
func TestRestartResumes(t *testing.T) {
	dir, jdir := t.TempDir(), t.TempDir()
	appendLines(t, join(dir, "access.log"), 0, 50)
	r := start(t, accessConfig(dir), jdir)
	r.host.waitLines(t, 50)
	r.stop(t)
	loc, ok, err := loadJournal(journalPath(jdir, "ls"))
	if err != nil || !ok || loc.FileName != join(dir, "access.log") || loc.Hash == "" {
		t.Fatalf("journal %+v %v %v", loc, ok, err)
	}
	appendLines(t, join(dir, "access.log"), 50, 60)
	r = start(t, accessConfig(dir), jdir)
	wantLines(t, r.host.waitLines(t, 10), 50, 60)
	r.stop(t)

	// Rotated while stopped: the journal's bytes are found in access.log.1.
	appendLines(t, join(dir, "access.log"), 60, 70)
	mustRename(t, join(dir, "access.log"), join(dir, "access.log.1"))
	appendLines(t, join(dir, "access.log"), 70, 80)
	r = start(t, accessConfig(dir), jdir)
	r.host.waitLines(t, 20)
	time.Sleep(50 * time.Millisecond)
	wantLines(t, r.host.got(), 60, 80)
	r.stop(t)

	// Replaced while stopped by a file of other content: read it whole.
	os.Remove(join(dir, "access.log.1"))
	os.Remove(join(dir, "access.log"))
	appendLines(t, join(dir, "access.log"), 1000, 1100)
	r = start(t, accessConfig(dir), jdir)
	r.host.waitLines(t, 100)
	wantLines(t, r.host.got(), 1000, 1100)
	r.stop(t)

	// A corrupt journal: a warning, and the stream from its start.
	os.WriteFile(journalPath(jdir, "ls"), []byte(`{"seek": 12}}`), 0o644)
	r = start(t, accessConfig(dir), jdir)
	r.host.waitLines(t, 100)
	wantLines(t, r.host.got(), 1000, 1100)
	r.stop(t)
}

// TestCompressed reads gzip-compressed files of a sequence through their
// decompressed lines (access.log.2.gz, as logrotate's compress leaves it),
// resumes in one after a restart by the journal's decompressed offset,
// finds the journal's position after the file it names was compressed,
// and goes past a corrupt one to the next file.
func TestCompressed(t *testing.T) {
	cfg := func(dir string) Config {
		c := accessConfig(dir)
		c.FileMatch = `access\.log\.?(?P<Seq>\d*)(\.gz)?`
		return c
	}
	dir, jdir := t.TempDir(), t.TempDir()
	writeGzip(t, join(dir, "access.log.2.gz"), 0, 100)
	appendLines(t, join(dir, "access.log.1"), 100, 150)
	appendLines(t, join(dir, "access.log"), 150, 200)
	r := start(t, cfg(dir), jdir)
	r.host.waitLines(t, 200)
	wantLines(t, r.host.got(), 0, 200)
	r.stop(t)

	// The journal names a decompressed offset inside a .gz file.
	dir, jdir = t.TempDir(), t.TempDir()
	writeGzip(t, join(dir, "access.log.1.gz"), 0, 100)
	r = start(t, cfg(dir), jdir)
	r.host.waitLines(t, 100)
	r.stop(t)
	writeGzip(t, join(dir, "access.log.1.gz"), 0, 150) // rewritten longer: same first 100 lines
	r = start(t, cfg(dir), jdir)
	wantLines(t, r.host.waitLines(t, 50), 100, 150)
	r.stop(t)

	// Rotated and compressed while stopped: access.log (journaled) became
	// access.log.1.gz; a new access.log follows it.
	dir, jdir = t.TempDir(), t.TempDir()
	appendLines(t, join(dir, "access.log"), 0, 100)
	r = start(t, cfg(dir), jdir)
	r.host.waitLines(t, 100)
	r.stop(t)
	appendLines(t, join(dir, "access.log"), 100, 120)
	data, err := os.ReadFile(join(dir, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	writeGzipData(t, join(dir, "access.log.1.gz"), data)
	os.Remove(join(dir, "access.log"))
	appendLines(t, join(dir, "access.log"), 120, 130)
	r = start(t, cfg(dir), jdir)
	r.host.waitLines(t, 30)
	wantLines(t, r.host.got(), 100, 130)
	r.stop(t)

	// A corrupt compressed file is logged and passed.
	dir, jdir = t.TempDir(), t.TempDir()
	writeGzip(t, join(dir, "access.log.2.gz"), 0, 100)
	gz, _ := os.ReadFile(join(dir, "access.log.2.gz"))
	os.WriteFile(join(dir, "access.log.2.gz"), gz[:len(gz)/2], 0o644)
	appendLines(t, join(dir, "access.log.1"), 100, 110)
	r = start(t, cfg(dir), jdir)
	r.host.waitLine(t, "line 109")
	r.stop(t)
}
