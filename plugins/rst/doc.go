// Package rst holds RstEncoder, which renders a message as
// reStructuredText, every header and field included, for reading by people
// (typically through a LogOutput while debugging). See README.md.
package rst
