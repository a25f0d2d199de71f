// Package daemon is hekad's command line: flag parsing, configuration
// loading, signals and the engine's lifetime. It is a package rather than a
// main so that a custom build of hekad with extra Go plugins is three lines:
//
//	package main
//
//	import (
//		"github.com/hekad-go/hekad/daemon"
//	//		_ "example.com/my/plugin"
//	)
//
//	func main() { daemon.Main() }
//
// Flags: -config (default /etc/hekad.toml; when that default is absent an
// embedded configuration is used), -version, -check (validate and exit),
// -sample NAME (print a plugin's sample configuration), -list (registered
// plugins by kind).
package daemon

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"

	"github.com/hekad-go/hekad/internal/hekalog"
	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/pipeline/config"
	"github.com/hekad-go/hekad/pipeline/engine"
)

const defaultConfigPath = "/etc/hekad.toml"

//go:embed default.toml
var defaultConfig []byte

// Main runs hekad with the process's arguments and exits with its status.
func Main() {
	os.Exit(Run(os.Args[1:], os.Stdout, os.Stderr))
}

// Run is hekad's main with its arguments, streams and exit code explicit.
func Run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("hekad", flag.ContinueOnError)
	fl.SetOutput(stderr)
	configPath := fl.String("config", defaultConfigPath, "config file or directory (all *.toml files in it, in name order)")
	version := fl.Bool("version", false, "print the Heka version hekad is compatible with, then hekad's own version and commit, and exit")
	check := fl.Bool("check", false, "load and validate the configuration, print every error, and exit (1 on error); opens no socket")
	sample := fl.String("sample", "", "print the sample configuration of the named plugin type and exit")
	list := fl.Bool("list", false, "list the registered plugin types by kind and exit")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 {
		// hekad takes flags only: `hekad cfg/agent.toml` (-config forgotten)
		// must not silently run the embedded default configuration.
		arg := fl.Arg(0)
		hint := ""
		if fi, err := os.Stat(arg); strings.HasSuffix(arg, ".toml") || err == nil && fi.IsDir() {
			hint = fmt.Sprintf(" (did you mean -config %s?)", arg)
		}
		fmt.Fprintf(stderr, "hekad: unexpected argument %q: hekad takes flags only%s\n", arg, hint)
		fl.Usage()
		return 2
	}
	switch {
	case *version:
		writeVersion(stdout, ReadBuild())
		return 0
	case *list:
		listPlugins(stdout)
		return 0
	case *sample != "":
		return printSample(stdout, stderr, *sample)
	}

	explicit := false
	fl.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "config" })
	plan, source, err := loadPlan(*configPath, explicit)
	if err != nil {
		fmt.Fprintf(stderr, "error reading config:\n%v\n", err)
		return 1
	}
	logger := slog.New(hekalog.New(stdout, stderr, plan.Globals.LogFlags, slog.LevelInfo))
	eng, err := engine.New(plan, engine.Options{Logger: logger, DrainTimeout: plan.Globals.ShutdownTimeout.Duration()})
	if err != nil {
		fmt.Fprintf(stderr, "error in config %s: %v\n", source, err)
		return 1
	}
	if *check {
		for _, o := range plan.Overrides {
			fmt.Fprintln(stdout, o)
		}
		fmt.Fprintf(stdout, "configuration %s is valid\n", source)
		return 0
	}
	if source == "embedded" {
		logger.Info("no -config given and " + defaultConfigPath + " does not exist: running the embedded default configuration")
	} else {
		logger.Info("loaded configuration", "config", source)
	}
	for _, o := range plan.Overrides {
		logger.Info(o.String())
	}
	if plan.BaseDirDefaulted {
		logger.Info("base_dir not set in [hekad]: using " + plan.Globals.BaseDir)
	}
	if plan.ShareDirDefaulted {
		logger.Info("share_dir not set in [hekad]: using " + plan.Globals.ShareDir)
	}
	return serve(eng, &plan.Globals, logger)
}

// loadPlan loads the configuration at path, or the embedded default when
// path was not given explicitly and the default file does not exist.
func loadPlan(path string, explicit bool) (*config.Plan, string, error) {
	if !explicit {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			plan, err := config.LoadBytes("embedded default.toml", defaultConfig)
			return plan, "embedded", err
		}
	}
	plan, err := config.Load(path)
	return plan, path, err
}

// serve runs the engine until SIGINT/SIGTERM and returns the exit code.
func serve(eng *engine.Engine, g *pipeline.Globals, logger *slog.Logger) int {
	if g.Maxprocs > 0 {
		runtime.GOMAXPROCS(g.Maxprocs)
	}
	if err := os.MkdirAll(g.BaseDir, 0o755); err != nil {
		logger.Error("cannot create base_dir", "base_dir", g.BaseDir, "err", err)
		return 1
	}
	if g.PidFile != "" {
		if err := writePidFile(g.PidFile); err != nil {
			logger.Error(err.Error())
			return 1
		}
		defer func() {
			if err := os.Remove(g.PidFile); err != nil {
				logger.Error("cannot remove pid_file", "pid_file", g.PidFile, "err", err)
			}
		}()
	}
	if g.CPUProf != "" {
		f, err := os.Create(g.CPUProf)
		if err != nil {
			logger.Error("cannot create cpuprof", "err", err)
			return 1
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			logger.Error("cannot start cpu profile", "err", err)
			return 1
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	if g.MemProf != "" {
		defer writeHeapProfile(g.MemProf, logger)
	}

	// The first SIGINT/SIGTERM starts a graceful shutdown; a second one
	// gives up on it at once (the engine logs what it abandons).
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	term := make(chan os.Signal, 2)
	signal.Notify(term, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(term)
	go func() {
		<-term
		stop()
		select {
		case <-term:
			logger.Error("second signal: aborting the shutdown")
			eng.Abort()
		case <-eng.Done():
		}
	}()
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2)
	defer signal.Stop(sigs)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case s := <-sigs:
				switch s {
				case syscall.SIGHUP:
					logger.Info("reload initiated: reopening output files")
					eng.Reopen()
				case syscall.SIGUSR1:
					eng.Report(os.Stderr)
				case syscall.SIGUSR2:
					// Heka's "sandbox abort": only when the router is
					// wedged (report, Abort, shutdown); otherwise logged.
					eng.AbortIfWedged(os.Stderr)
				}
			}
		}
	}()

	if err := eng.Run(ctx); err != nil {
		logger.Error("shutting down", "err", err)
		return 1
	}
	logger.Info("shutdown complete")
	return 0
}

// writePidFile refuses to start when path holds the pid of a live process,
// as Heka does, and otherwise writes our pid into it.
func writePidFile(path string) error {
	if b, err := os.ReadFile(path); err == nil {
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return fmt.Errorf("pid_file %s: cannot read a process id from it: %w", path, err)
		}
		if p, err := os.FindProcess(pid); err == nil && p.Signal(syscall.Signal(0)) == nil {
			return fmt.Errorf("pid_file %s: process %d is already running", path, pid)
		}
	}
	if err := os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return fmt.Errorf("pid_file %s: %w", path, err)
	}
	return nil
}

func writeHeapProfile(path string, logger *slog.Logger) {
	f, err := os.Create(path)
	if err != nil {
		logger.Error("cannot create memprof", "err", err)
		return
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		logger.Error("cannot write memprof", "err", err)
	}
}

func listPlugins(w io.Writer) {
	kind := pipeline.Kind(-1)
	for _, r := range pipeline.Registered() {
		if r.Kind != kind {
			kind = r.Kind
			fmt.Fprintf(w, "%ss:\n", kind)
		}
		fmt.Fprintf(w, "  %s\n", r.Name)
	}
}

func printSample(stdout, stderr io.Writer, name string) int {
	r, ok := pipeline.Lookup(name)
	if !ok {
		fmt.Fprintf(stderr, "no registered plugin type: %s (see hekad -list)\n", name)
		return 1
	}
	if r.Sample == "" {
		fmt.Fprintf(stderr, "%s has no sample configuration\n", name)
		return 1
	}
	fmt.Fprint(stdout, r.Sample)
	return 0
}
