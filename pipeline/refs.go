package pipeline

// SectionRef is an option of a plugin's configuration that names another
// section of hekad's configuration by plugin type (StatsdInput's
// stat_accum_name names a StatAccumInput).
type SectionRef struct {
	Key  string // the option, as written in TOML
	Name string // the section it names ("" names none)
	Type string // the plugin type that section must have
}

// SectionReferrer is a plugin configuration with options that name other
// sections: the configuration loader checks, once every section is known,
// that each names a section of the type it wants, and reports the key
// otherwise (hekad -check shows it too).
type SectionReferrer interface {
	SectionRefs() []SectionRef
}
