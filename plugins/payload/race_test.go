//go:build race

package payload

// raceEnabled is set under the race detector, where sync.Pool (used by
// package regexp) drops items at random, so allocation counts vary.
const raceEnabled = true
