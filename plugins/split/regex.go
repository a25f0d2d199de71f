package split

import (
	_ "embed"
	"errors"
	"fmt"
	"unsafe"

	"github.com/hekad-go/hekad/internal/fastregexp"
	"github.com/hekad-go/hekad/pipeline"
)

//go:embed RegexSplitter.toml
var regexSample string

func init() {
	pipeline.RegisterSplitter("RegexSplitter", defaultRegexConfig, newRegexSplitter, pipeline.WithSample(regexSample))
}

// RegexConfig configures a RegexSplitter.
type RegexConfig struct {
	// Delimiter is the regular expression (Go syntax, as Heka) that
	// separates records. It may have one capture group.
	Delimiter string `toml:"delimiter"`
	// DelimiterEOL puts the captured part of the delimiter at the end of
	// the record before it (true) or at the start of the record after it
	// (false). Without a capture group the delimiter is dropped.
	DelimiterEOL bool `toml:"delimiter_eol"`
}

func defaultRegexConfig() RegexConfig { return RegexConfig{Delimiter: "\n", DelimiterEOL: true} }

// compile compiles the delimiter, or returns an error naming the key.
func (c *RegexConfig) compile() (*fastregexp.Regexp, error) {
	re, err := fastregexp.Compile(c.Delimiter)
	if err != nil {
		return nil, fmt.Errorf("delimiter: %w", err)
	}
	if re.NumSubexp() > 1 {
		return nil, fmt.Errorf("delimiter: %q has %d capture groups, at most one is allowed", c.Delimiter, re.NumSubexp())
	}
	if re.MatchString("") {
		return nil, fmt.Errorf("delimiter: %q matches the empty string, so it cannot separate records", c.Delimiter)
	}
	return re, nil
}

// Validate checks the options; errors name the key.
func (c *RegexConfig) Validate() error {
	_, err := c.compile()
	return err
}

// RegexSplitter ends a record where its delimiter expression matches.
// Without a capture group the delimiter is dropped. With one, the captured
// text is kept: at the end of the record before the match (delimiter_eol,
// the default), or at the start of the record after it, in which case the
// part of the match before the group is dropped and the part after it stays
// with the next record, as in Heka. Empty records are skipped, as Heka does.
type RegexSplitter struct {
	re  *fastregexp.Regexp
	eol bool
	// carried is the length of the capture left at the start of the data
	// for the next record (delimiter_eol = false): the next search starts
	// after it.
	carried int
	loc     []int
}

func newRegexSplitter(c RegexConfig, _ *pipeline.Env) (pipeline.Splitter, error) {
	re, err := c.compile()
	if err != nil {
		return nil, err
	}
	return &RegexSplitter{re: re, eol: c.DelimiterEOL, loc: make([]int, 0, 4)}, nil
}

// errEmptyMatch: the delimiter matched the empty string at the start of
// the data, which would never make progress.
var errEmptyMatch = errors.New("delimiter matched the empty string")

// Split returns the data before the next delimiter match (with or without
// its capture, see RegexSplitter), or asks for more data.
func (s *RegexSplitter) Split(data []byte, atEOF bool) (int, []byte, error) {
	if s.carried > len(data) { // the caller dropped data
		s.carried = 0
	}
	from := s.carried
	if from == len(data) {
		return 0, nil, nil
	}
	// The string shares data's memory; it does not outlive this call.
	text := unsafe.String(&data[from], len(data)-from)
	loc := s.re.FindStringSubmatchIndex(text, s.loc[:0])
	if loc == nil {
		return 0, nil, nil
	}
	s.loc = loc
	var adv int
	var rec []byte
	switch {
	case loc[1] == 0:
		return 0, nil, errEmptyMatch
	case len(loc) < 4 || loc[2] < 0:
		// No capture (or the group did not take part): drop the delimiter.
		rec, adv = data[:from+loc[0]], from+loc[1]
	case s.eol:
		rec, adv = data[:from+loc[3]], from+loc[1]
	default:
		rec, adv = data[:from+loc[0]], from+loc[2]
		s.carried = loc[3] - loc[2]
	}
	if !s.eol && (len(loc) < 4 || loc[2] < 0) {
		s.carried = 0
	}
	if len(rec) == 0 {
		return adv, nil, nil
	}
	return adv, rec, nil
}

var _ pipeline.Splitter = (*RegexSplitter)(nil)
