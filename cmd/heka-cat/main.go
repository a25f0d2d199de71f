// Command heka-cat counts, prints, filters and extracts the messages of a
// file of framed Heka protobuf records, such as a buffer queue file or the
// output of a FileOutput with the ProtobufEncoder. It takes Heka's flags:
//
//	heka-cat [-format txt|json|heka|count] [-match EXPR] [-offset N]
//	         [-output FILE] [-tail] [-max-message-size N] <file>
//
// Messages that satisfy the -match expression are written to -output
// (stdout by default) in the chosen format; progress and problems go to
// stderr, ending with "Processed: N, matched: M messages", as Heka 0.10's
// heka-cat wrote them (so -format count writes nothing to stdout; capture the
// count with: heka-cat -format count FILE 2>&1 >/dev/null | sed -n
// 's/^Processed: .*matched: \([0-9]*\).*/\1/p').
// Unlike Heka, a
// corrupt record is reported with its offset and reason and skipped, an
// unreadable input is an error that names the file, and an unknown -format
// is refused.
//
// Exit status: 0 on success, 1 for a usage error, 2 for a bad flag value
// (including a -match expression that does not compile), 3 when the input
// cannot be opened, 4 when the output cannot be created or written, 5 when
// -offset cannot be reached, 6 when reading the input fails, 8 when
// -max-message-size is out of range, 130 when interrupted without -tail.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hekad-go/hekad/message/matcher"
)

// Exit statuses, Heka's where Heka had one.
const (
	exitOK          = 0
	exitUsage       = 1
	exitBadFlag     = 2
	exitInput       = 3
	exitOutput      = 4
	exitSeek        = 5
	exitRead        = 6
	exitMaxSize     = 8
	exitInterrupted = 130
)

// defaultMaxMessageSize is heka-cat's default -max-message-size (4 MiB),
// larger than hekad's so that any record hekad accepted can be read back.
const defaultMaxMessageSize = 4 << 20

// tailPoll is how often -tail looks for data appended to the input.
const tailPoll = 100 * time.Millisecond

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is heka-cat with its command-line arguments (without the program name)
// and its output streams. It returns the process exit status. Cancelling ctx
// ends -tail (exit 0) or interrupts a plain read (exit 130); either way the
// closing summary is printed.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("heka-cat", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: heka-cat [flags] <file>")
		fl.PrintDefaults()
	}
	matchExpr := fl.String("match", "TRUE", "message matcher expression selecting the messages to output")
	formatName := fl.String("format", "txt", "output format: txt, json, heka (the framed records as read) or count")
	outputName := fl.String("output", "", "write the output to this file instead of stdout")
	tail := fl.Bool("tail", false, "at end of file, wait for more records instead of exiting")
	offset := fl.Int64("offset", 0, "byte offset in the input file to start reading at")
	maxSize := fl.Uint64("max-message-size", defaultMaxMessageSize, "largest message, in bytes, accepted in a record")
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitBadFlag
	}
	if fl.NArg() != 1 {
		fl.Usage()
		return exitUsage
	}
	inputName := fl.Arg(0)

	if *maxSize >= math.MaxUint32 || *maxSize > math.MaxInt {
		fmt.Fprintf(stderr, "Message size is too large: %d\n", *maxSize)
		return exitMaxSize
	}
	if *maxSize == 0 {
		fmt.Fprintln(stderr, "heka-cat: -max-message-size must be at least 1")
		return exitMaxSize
	}
	format, err := parseFormat(*formatName)
	if err != nil {
		fmt.Fprintf(stderr, "heka-cat: %v\n", err)
		return exitBadFlag
	}
	m, err := matcher.Compile(*matchExpr)
	if err != nil {
		fmt.Fprintf(stderr, "heka-cat: -match %q: %v\n", *matchExpr, err)
		return exitBadFlag
	}

	in, err := openInput(inputName)
	if err != nil {
		fmt.Fprintf(stderr, "heka-cat: %v\n", err)
		return exitInput
	}
	defer in.Close()

	out := stdout
	outName := "stdout"
	var outFile *os.File
	if *outputName != "" {
		outFile, err = os.OpenFile(*outputName, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "heka-cat: create output: %v\n", err)
			return exitOutput
		}
		defer outFile.Close()
		out, outName = outFile, *outputName
	}

	if _, err := in.Seek(*offset, io.SeekStart); err != nil {
		fmt.Fprintf(stderr, "heka-cat: seek %s to offset %d: %v\n", inputName, *offset, err)
		return exitSeek
	}

	fmt.Fprintf(stderr, "Input:%s  Offset:%d  Match:%s  Format:%s  Tail:%t  Output:%s\n",
		inputName, *offset, *matchExpr, *formatName, *tail, *outputName)

	bw := bufio.NewWriterSize(out, 64<<10)
	c := &cat{
		matcher:        m,
		format:         format,
		out:            bw,
		diag:           stderr,
		loc:            time.Local,
		base:           *offset,
		maxMessageSize: int(*maxSize),
	}
	var src io.Reader = in
	// Heka's count never waits at end of file, -tail or not.
	following := *tail && format != formatCount
	if following {
		src = &tailReader{ctx: ctx, r: in, poll: tailPoll, idle: bw.Flush}
	}
	readErr := c.run(ctx, src)
	flushErr := bw.Flush()
	if flushErr == nil && outFile != nil {
		flushErr = outFile.Close()
	}
	fmt.Fprintf(stderr, "Processed: %d, matched: %d messages\n", c.processed, c.matched)

	var werr *writeError
	switch {
	case errors.As(readErr, &werr):
		fmt.Fprintf(stderr, "heka-cat: write %s: %v\n", outName, werr.err)
		return exitOutput
	case flushErr != nil:
		fmt.Fprintf(stderr, "heka-cat: write %s: %v\n", outName, flushErr)
		return exitOutput
	case errors.Is(readErr, errInterrupted):
		if following {
			return exitOK // the normal end of -tail
		}
		fmt.Fprintln(stderr, "heka-cat: interrupted")
		return exitInterrupted
	case readErr != nil:
		var perr *fs.PathError
		if errors.As(readErr, &perr) {
			fmt.Fprintf(stderr, "heka-cat: read input: %v\n", readErr) // names the file
		} else {
			fmt.Fprintf(stderr, "heka-cat: read %s: %v\n", inputName, readErr)
		}
		return exitRead
	}
	return exitOK
}

// openInput opens the input file for reading and refuses what cannot be read
// as a file of records (a directory), naming the file in the error.
func openInput(name string) (*os.File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open input: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open input: %w", err)
	}
	if st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("open input %s: is a directory", name)
	}
	return f, nil
}
