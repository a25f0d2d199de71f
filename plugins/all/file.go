package all

import _ "github.com/hekad-go/hekad/plugins/file" // FileOutput, FilePollingInput
