package all

import _ "github.com/hekad-go/hekad/plugins/statsd" // StatsdInput, StatAccumInput, StatFilter, StatsToFieldsDecoder
