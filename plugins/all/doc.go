// Package all registers every plugin family of hekad by blank-importing it,
// one file per family. A custom build can import only the families it needs
// instead.
package all
