// Package multi holds Heka's MultiDecoder, which runs a record through
// several decoder sections in turn: the first that succeeds wins, or every
// one of them decodes what the previous ones made (cascade_strategy). See
// README.md.
package multi
