package all

import _ "github.com/hekad-go/hekad/plugins/sandbox" // SandboxDecoder, SandboxFilter, SandboxEncoder, SandboxOutput, SandboxInput, SandboxManagerFilter
