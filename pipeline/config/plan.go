package config

import (
	"fmt"

	"github.com/hekad-go/hekad/pipeline"
)

// Plan is a loaded, validated configuration: plain data the engine builds a
// pipeline from. Tests may build Plans in code.
type Plan struct {
	// Globals are the [hekad] settings, defaults applied and validated.
	// A base_dir the configuration does not set is DefaultBaseDir().
	Globals pipeline.Globals
	// BaseDirDefaulted tells that base_dir was not set, so Globals.BaseDir
	// is DefaultBaseDir() (which may not be Heka's /var/cache/hekad): a
	// caller may say so in its log.
	BaseDirDefaulted bool
	// ShareDirDefaulted tells that share_dir was not set and
	// DefaultShareDir() found another directory than Heka's
	// /usr/share/heka: a caller may say so in its log.
	ShareDirDefaulted bool
	// Overrides lists, in load order, every section (and [hekad]) that a
	// later file of a configuration directory defined again, replacing the
	// earlier definition as a whole: a caller may log them.
	Overrides []Override
	// Decoders, Encoders and Splitters are templates: the engine builds an
	// instance per input, stream or output that names them. The
	// auto-registered defaults (ProtobufDecoder, ProtobufEncoder,
	// TokenSplitter, HekaFramingSplitter, NullSplitter) are always present.
	Decoders  []Section
	Encoders  []Section
	Splitters []Splitter
	Inputs    []Input
	Filters   []Filter
	Outputs   []Output
}

// Override is a section of a configuration directory defined in two
// files: the definition at File:Line replaced the one at
// ReplacedFile:ReplacedLine (lines are 0 when unknown).
type Override struct {
	Section      string
	File         string
	Line         int
	ReplacedFile string
	ReplacedLine int
}

// String says which file replaced which section from which file.
func (o Override) String() string {
	return fmt.Sprintf("[%s] of %s replaces [%s] of %s (a later file replaces a section as a whole; keys are not merged)",
		o.Section, pos(o.File, o.Line), o.Section, pos(o.ReplacedFile, o.ReplacedLine))
}

func pos(file string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", file, line)
	}
	return file
}

// Section is one plugin section of the configuration.
type Section struct {
	// Name is the section name, e.g. "tcp_in".
	Name string
	// Type is the registered type name, e.g. "TcpInput" (defaults to Name).
	Type string
	// Kind is the plugin family, from Type's suffix.
	Kind pipeline.Kind
	// Source is the file the section came from ("" for auto-registered
	// default plugins).
	Source string
	// Registration is the registry entry of Type.
	Registration *pipeline.Registration
	// Config is the plugin's own config: the pointer returned by
	// Registration.NewConfig, decoded and validated.
	Config any
}

// Input is an input section with its common options.
type Input struct {
	Section
	Common pipeline.InputCommon
}

// Filter is a filter section with its common options.
type Filter struct {
	Section
	Common pipeline.FilterCommon
}

// Output is an output section with its common options.
type Output struct {
	Section
	Common pipeline.OutputCommon
	// UseFraming is use_framing resolved against the plugin's default.
	UseFraming bool
}

// Splitter is a splitter section with its common options.
type Splitter struct {
	Section
	Common pipeline.SplitterCommon
}
