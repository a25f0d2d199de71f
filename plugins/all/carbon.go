package all

import _ "github.com/hekad-go/hekad/plugins/carbon" // CarbonOutput
