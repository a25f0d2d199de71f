package sandbox

import (
	"path/filepath"
	"testing"
)

// limitCase is one combination of limits a benchmark runs under.
type limitCase struct {
	name                 string
	memory, instructions int64
}

var (
	noLimits       = limitCase{"nolimits", 0, 0}
	onlyInstrLimit = limitCase{"instruction_limit", 0, DefaultInstructionLimit}
	defaultLimits  = limitCase{"default_limits", DefaultMemoryLimit, DefaultInstructionLimit}
)

// benchCalls runs process_message of src under each case of limits.
func benchCalls(b *testing.B, src string, cases ...limitCase) {
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "bench.lua")
			writeFile(b, path, src)
			sb, err := New(Config{Name: "bench", Script: path, MemoryLimit: bc.memory,
				InstructionLimit: bc.instructions, OutputLimit: DefaultOutputLimit})
			if err != nil {
				b.Fatal(err)
			}
			if err := sb.Start(b.Context()); err != nil {
				b.Fatal(err)
			}
			defer sb.Close()
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := sb.ProcessMessage(b.Context()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(sb.Stats().MemoryWalks), "walks")
		})
	}
}

// BenchmarkProcessMessage is the cost of entering a trivial process_message
// through the sandbox.
func BenchmarkProcessMessage(b *testing.B) {
	benchCalls(b, "count = 0 function process_message() count = count + 1 return 0 end",
		noLimits, onlyInstrLimit, defaultLimits)
}

// BenchmarkLoop is a call running a 100,000-iteration arithmetic loop (about
// 400,000 instructions): the per-instruction cost of the limits.
func BenchmarkLoop(b *testing.B) {
	benchCalls(b, "function process_message() local s = 0 for i = 1, 100000 do s = (s + i * 3) % 1000003 end return 0 end",
		noLimits, onlyInstrLimit, defaultLimits)
}

// BenchmarkTables builds 1,000 small tables per call (allocation-heavy code),
// keeping the last 1,000 in a global so the data stays bounded.
func BenchmarkTables(b *testing.B) {
	benchCalls(b, `ring = {} n = 0
function process_message()
  for i = 1, 1000 do n = n % 1000 + 1 ring[n] = {a = i, b = "x"} end
  return 0
end`, noLimits, defaultLimits)
}
