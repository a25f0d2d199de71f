package logstreamer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// monthScores and dayScores give the sort values of the MonthName and
// DayName captures, as Heka's.
var monthScores = map[string]int{
	"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
	"april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
	"august": 8, "aug": 8, "september": 9, "sep": 9, "october": 10, "oct": 10,
	"november": 11, "nov": 11, "december": 12, "dec": 12,
}

var dayScores = map[string]int{
	"monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "wednesday": 2, "wed": 2,
	"thursday": 3, "thu": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5,
	"sunday": 6, "sun": 6,
}

// Matcher finds the log streams of a LogstreamerInput configuration: the
// files under log_directory whose path matches file_match, grouped into
// streams by differentiator and ordered by priority. heka-logstreamer uses
// it too.
type Matcher struct {
	root        string
	re          *regexp.Regexp
	priority    []string
	diff        []string
	translation map[string]map[string]int
	oldest      time.Duration
}

// LogFile is one file of a stream, with what a scan saw of it.
type LogFile struct {
	Path  string
	Info  os.FileInfo
	str   map[string]string // capture name -> matched text
	score map[string]int    // capture name -> sort value
}

// NewMatcher compiles the matching options of cfg. name is the plugin's
// name: the stream name when differentiator is empty.
func NewMatcher(cfg Config, name string) (*Matcher, error) {
	if cfg.FileMatch == "" {
		return nil, errors.New("file_match: required")
	}
	if cfg.LogDirectory == "" {
		return nil, errors.New("log_directory: required")
	}
	root := cfg.LogDirectory
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	root = filepath.Clean(root)
	fm := cfg.FileMatch
	if !strings.HasSuffix(fm, "$") {
		fm += "$"
	}
	prefix := root
	if !strings.HasSuffix(prefix, string(os.PathSeparator)) && !strings.HasPrefix(fm, string(os.PathSeparator)) {
		prefix += string(os.PathSeparator)
	}
	re, err := regexp.Compile("^" + regexp.QuoteMeta(prefix) + fm)
	if err != nil {
		return nil, fmt.Errorf("file_match: %w", err)
	}
	names := map[string]bool{}
	for _, n := range re.SubexpNames() {
		if n != "" {
			names[n] = true
		}
	}
	for _, p := range cfg.Priority {
		if !names[strings.TrimPrefix(p, "^")] {
			return nil, fmt.Errorf("priority: %q is not a named capture of file_match", p)
		}
	}
	tr := map[string]map[string]int{}
	for capture, m := range cfg.Translation {
		if len(m) == 1 {
			if _, ok := m["missing"]; !ok {
				return nil, fmt.Errorf("translation.%s: a map of one entry must have the key \"missing\"", capture)
			}
		}
		lm := map[string]int{}
		for k, v := range m {
			lm[strings.ToLower(k)] = v
		}
		tr[capture] = lm
	}
	diff := cfg.Differentiator
	if len(diff) == 0 {
		diff = []string{name}
	}
	return &Matcher{root: root, re: re, priority: cfg.Priority, diff: diff, translation: tr, oldest: time.Duration(cfg.OldestDuration)}, nil
}

// parts returns the captures of path and their sort values (nil when path
// does not match).
func (m *Matcher) parts(path string) *LogFile {
	sub := m.re.FindStringSubmatch(path)
	if sub == nil {
		return nil
	}
	lf := &LogFile{Path: path, str: map[string]string{}, score: map[string]int{}}
	for i, name := range m.re.SubexpNames() {
		if name == "" {
			continue
		}
		v := sub[i]
		lf.str[name] = v
		if v == "" {
			v = "missing"
		}
		lv := strings.ToLower(v)
		score, ok := -1, false
		switch tm, has := m.translation[name]; {
		case name == "MonthName":
			score, ok = monthScores[lv]
			if !ok {
				score = -1
			}
		case name == "DayName":
			score, ok = dayScores[lv]
			if !ok {
				score = -1
			}
		case has && len(tm) > 1:
			score, ok = tm[lv]
			if !ok {
				score = -1
			}
		case has && lv == "missing":
			score, ok = tm["missing"]
			if !ok {
				score = -1
			}
		}
		if !ok {
			if n, err := strconv.Atoi(v); err == nil && n >= 0 {
				score = n
			}
		}
		lf.score[name] = score
	}
	return lf
}

// less orders a before b by priority: each capture in turn compares by
// its sort value, ascending, or descending when its name starts with ^.
// Files equal on every capture keep their path order.
func (m *Matcher) less(a, b *LogFile) bool {
	for _, p := range m.priority {
		rev := strings.HasPrefix(p, "^")
		p = strings.TrimPrefix(p, "^")
		x, y := a.score[p], b.score[p]
		if x == y {
			continue
		}
		return (x < y) != rev
	}
	return false
}

// streamName joins the differentiator: each element is the text of the
// capture of that name, or the element itself.
func (m *Matcher) streamName(lf *LogFile) string {
	var b strings.Builder
	for _, d := range m.diff {
		if v, ok := lf.str[d]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(d)
		}
	}
	return b.String()
}

// Scan walks log_directory and returns every stream's files, oldest
// first. Files not modified within oldest_duration are left out. A stream
// of several files without priority cannot be ordered: it is left out
// and reported in the error, as are directories the walk cannot read.
func (m *Matcher) Scan() (map[string][]*LogFile, error) {
	var errs []error
	cutoff := time.Time{}
	if m.oldest > 0 {
		cutoff = time.Now().Add(-m.oldest)
	}
	streams := map[string][]*LogFile{}
	filepath.WalkDir(m.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, err)
			if d != nil && d.IsDir() && path != m.root {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		lf := m.parts(path)
		if lf == nil {
			return nil
		}
		fi, err := os.Stat(path)
		if err != nil || !fi.Mode().IsRegular() {
			return nil
		}
		if !cutoff.IsZero() && !fi.ModTime().After(cutoff) {
			return nil
		}
		lf.Info = fi
		name := m.streamName(lf)
		streams[name] = append(streams[name], lf)
		return nil
	})
	for name, files := range streams {
		if len(files) > 1 && len(m.priority) == 0 {
			paths := make([]string, len(files))
			for i, f := range files {
				paths[i] = f.Path
			}
			sort.Strings(paths)
			errs = append(errs, fmt.Errorf("stream %q: several files and no priority to order them: %s", name, strings.Join(paths, ", ")))
			delete(streams, name)
			continue
		}
		sort.SliceStable(files, func(i, j int) bool {
			if m.less(files[i], files[j]) {
				return true
			}
			if m.less(files[j], files[i]) {
				return false
			}
			return files[i].Path < files[j].Path
		})
	}
	return streams, errors.Join(errs...)
}

// Resolved is what heka-logstreamer prints of one stream.
type Resolved struct {
	Files       []string // oldest first
	JournalFile string
	Journal     Location // zero when there is none (or it is unreadable)
}

// Resolve scans for the streams of a LogstreamerInput section named name
// (baseDir is hekad's base_dir, for the default journal_directory).
func Resolve(cfg Config, name, baseDir string) (map[string]Resolved, error) {
	m, err := NewMatcher(cfg, name)
	if err != nil {
		return nil, err
	}
	jdir := cfg.JournalDirectory
	if jdir == "" {
		jdir = filepath.Join(baseDir, "logstreamer")
	}
	streams, err := m.Scan()
	res := map[string]Resolved{}
	for n, files := range streams {
		r := Resolved{JournalFile: journalPath(jdir, n)}
		for _, f := range files {
			r.Files = append(r.Files, f.Path)
		}
		r.Journal, _, _ = loadJournal(r.JournalFile)
		res[n] = r
	}
	return res, err
}
