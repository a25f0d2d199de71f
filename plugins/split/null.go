package split

import (
	_ "embed"

	"github.com/hekad-go/hekad/pipeline"
)

//go:embed NullSplitter.toml
var nullSample string

func init() {
	pipeline.RegisterSplitter("NullSplitter", defaultNullConfig, newNullSplitter, pipeline.WithSample(nullSample))
}

// NullConfig configures a NullSplitter; it has no options of its own.
type NullConfig struct{}

func defaultNullConfig() NullConfig { return NullConfig{} }

// DefaultSplitterCommon gives NullSplitter Heka's larger read buffer
// (64 KiB), since each read becomes one record.
func (*NullConfig) DefaultSplitterCommon(c *pipeline.SplitterCommon) { c.MinBufferSize = 64 * 1024 }

// NullSplitter makes every read (a datagram, a chunk of a stream) one
// record.
type NullSplitter struct{}

func newNullSplitter(NullConfig, *pipeline.Env) (pipeline.Splitter, error) {
	return NullSplitter{}, nil
}

// Split returns all of data as one record.
func (NullSplitter) Split(data []byte, _ bool) (int, []byte, error) {
	if len(data) == 0 {
		return 0, nil, nil
	}
	return len(data), data, nil
}

var _ pipeline.Splitter = NullSplitter{}
