package sandbox

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"

	lua "github.com/yuin/gopher-lua"

	"github.com/hekad-go/hekad/internal/lua/compat"
)

// preserve_data writes the script's global data as Lua source that rebuilds
// it, in the form of Heka's sandboxes: a first line that makes the file do
// nothing when the script's _PRESERVATION_VERSION differs from the one it was
// written with, then one assignment per value, `_G["name"] = value`, tables
// as `_G["t"] = {}` followed by their entries (`_G["t"]["k"] = v`,
// `_G["t"][1] = v`), and a table met again as a reference to its first path.
// Functions, threads, tables with a metatable, the libraries and modules, and
// userdata that is not a Preserver are left out, as are entries whose key is
// not a string, number or boolean.

// versionGlobal is the global a script sets to version its preserved data.
const versionGlobal = "_PRESERVATION_VERSION"

// restoreInstructionLimit bounds the restoration of preserved data: a file
// we wrote needs about four instructions per value, so this only stops a
// corrupt file that loops.
const restoreInstructionLimit = 100_000_000

// Preserver is implemented by userdata values (circular_buffer, ...) that
// can be preserved: PreserveTo writes Lua statements that rebuild the value
// at the Lua expression path.
type Preserver interface {
	PreserveTo(w io.Writer, path string) error
}

// Preserve writes the script's global data to Config.PreservationFile,
// through a temporary file renamed over it.
func (s *Sandbox) Preserve() error {
	path := s.cfg.PreservationFile
	if s.L == nil || path == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("sandbox %q: preserve data: %w", s.cfg.Name, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("sandbox %q: preserve data: %w", s.cfg.Name, err)
	}
	w := bufio.NewWriter(tmp)
	err = s.serialize(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("sandbox %q: preserve data to %s: %w", s.cfg.Name, path, err)
	}
	return nil
}

// serialize writes the global data.
func (s *Sandbox) serialize(w *bufio.Writer) error {
	globals := s.L.G.Global
	version := 0
	if n, ok := globals.RawGetString(versionGlobal).(lua.LNumber); ok {
		version = int(n)
	}
	fmt.Fprintf(w, "if %s and %s ~= %d then return end\n", versionGlobal, versionGlobal, version)
	p := &preserver{w: w, seen: map[any]string{globals: "_G"}, skip: map[any]bool{s.loaded: true, globals: true}}
	for _, lib := range s.libs {
		p.skip[lib] = true
	}
	var err error
	globals.ForEach(func(k, v lua.LValue) {
		if err != nil || k == lua.LString(versionGlobal) {
			return
		}
		if ks, ok := k.(lua.LString); ok && len(ks) > 0 && ks[0] == 0 {
			return // the compat package's hidden globals
		}
		err = p.entry("_G", k, v)
	})
	return err
}

// preserver writes one file; seen maps the tables (and userdata) written to
// their path.
type preserver struct {
	w    *bufio.Writer
	seen map[any]string
	skip map[any]bool
}

func (p *preserver) entry(parent string, k, v lua.LValue) error {
	key, ok := keyLiteral(k)
	if !ok {
		return nil
	}
	path := parent + "[" + key + "]"
	switch x := v.(type) {
	case lua.LString:
		_, err := fmt.Fprintf(p.w, "%s = %s\n", path, compat.Quote(string(x)))
		return err
	case lua.LNumber:
		_, err := fmt.Fprintf(p.w, "%s = %s\n", path, numberLiteral(float64(x)))
		return err
	case lua.LBool:
		_, err := fmt.Fprintf(p.w, "%s = %t\n", path, bool(x))
		return err
	case *lua.LTable:
		if p.skip[x] || (x.Metatable != nil && x.Metatable != lua.LNil) {
			return nil
		}
		if first, ok := p.seen[x]; ok {
			_, err := fmt.Fprintf(p.w, "%s = %s\n", path, first)
			return err
		}
		p.seen[x] = path
		if _, err := fmt.Fprintf(p.w, "%s = {}\n", path); err != nil {
			return err
		}
		var err error
		x.ForEach(func(k, v lua.LValue) {
			if err == nil {
				err = p.entry(path, k, v)
			}
		})
		return err
	case *lua.LUserData:
		pr, ok := x.Value.(Preserver)
		if !ok || p.skip[x] {
			return nil
		}
		if first, ok := p.seen[x]; ok {
			_, err := fmt.Fprintf(p.w, "%s = %s\n", path, first)
			return err
		}
		p.seen[x] = path
		return pr.PreserveTo(p.w, path)
	}
	return nil
}

// keyLiteral is the Lua literal of a table key, if it can be written.
func keyLiteral(k lua.LValue) (string, bool) {
	switch x := k.(type) {
	case lua.LString:
		return compat.Quote(string(x)), true
	case lua.LNumber:
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return "", false
		}
		return numberLiteral(f), true
	case lua.LBool:
		return strconv.FormatBool(bool(x)), true
	}
	return "", false
}

// numberLiteral writes f so that it reads back exactly (17 significant
// digits where needed), and nan and the infinities as expressions.
func numberLiteral(f float64) string {
	switch {
	case math.IsNaN(f):
		return "0/0"
	case math.IsInf(f, 1):
		return "1/0"
	case math.IsInf(f, -1):
		return "-1/0"
	case f == math.Trunc(f) && math.Abs(f) < 1e15:
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', 17, 64)
}

// restore runs the preservation file at path, if there is one.
func (s *Sandbox) restore(ctx context.Context, path string) error {
	src, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.runPreserved(ctx, src, path, restoreInstructionLimit)
}

// runPreserved runs preserved data src in the script's globals, with at most
// limit instructions.
func (s *Sandbox) runPreserved(ctx context.Context, src []byte, name string, limit int64) error {
	proto, err := compat.Compile(bytes.NewReader(src), name)
	if err != nil {
		return err
	}
	s.L.Push(s.L.NewFunctionFromProto(proto))
	err = s.pcallLimit(ctx, "restore", 0, 0, limit)
	if err != nil {
		s.term = nil
		return err
	}
	s.checkMemory()
	return nil
}
