package split

import (
	"bytes"
	_ "embed"
	"fmt"

	"github.com/hekad-go/hekad/pipeline"
)

//go:embed TokenSplitter.toml
var tokenSample string

func init() {
	pipeline.RegisterSplitter("TokenSplitter", defaultTokenConfig, newTokenSplitter, pipeline.WithSample(tokenSample))
}

// TokenConfig configures a TokenSplitter.
type TokenConfig struct {
	// Delimiter is the one-byte token that ends a record; it stays at the
	// end of the record.
	Delimiter string `toml:"delimiter"`
	// Count is how many delimiters make one record.
	Count uint `toml:"count"`
}

func defaultTokenConfig() TokenConfig { return TokenConfig{Delimiter: "\n", Count: 1} }

// Validate checks the options; errors name the key.
func (c *TokenConfig) Validate() error {
	if len(c.Delimiter) != 1 {
		return fmt.Errorf("delimiter: must be exactly one byte, got %q", c.Delimiter)
	}
	if c.Count == 0 {
		return fmt.Errorf("count: must be at least 1")
	}
	return nil
}

// TokenSplitter ends a record after every Count-th occurrence of a one-byte
// delimiter, which stays at the end of the record (as in Heka).
type TokenSplitter struct {
	delim byte
	count int
	// Scan state for the record being assembled, so that a long record
	// read in many pieces is scanned once: bytes of data already searched
	// and delimiters found in them.
	scanned, found int
}

func newTokenSplitter(c TokenConfig, _ *pipeline.Env) (pipeline.Splitter, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &TokenSplitter{delim: c.Delimiter[0], count: int(c.Count)}, nil
}

// Split returns the next record ending in the Count-th delimiter, or asks
// for more data.
func (s *TokenSplitter) Split(data []byte, atEOF bool) (int, []byte, error) {
	if s.scanned > len(data) { // the caller dropped data we had scanned
		s.scanned, s.found = 0, 0
	}
	for s.scanned < len(data) {
		i := bytes.IndexByte(data[s.scanned:], s.delim)
		if i < 0 {
			s.scanned = len(data)
			break
		}
		s.scanned += i + 1
		if s.found++; s.found == s.count {
			n := s.scanned
			s.scanned, s.found = 0, 0
			return n, data[:n], nil
		}
	}
	return 0, nil, nil
}

var _ pipeline.Splitter = (*TokenSplitter)(nil)
