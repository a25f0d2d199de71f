package all

import _ "github.com/hekad-go/hekad/plugins/split" // TokenSplitter, RegexSplitter, NullSplitter, HekaFramingSplitter
