package config

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// unknownKey returns the error for the unknown key parts of the section:
// ErrUnknownKey, with the closest key the section does accept at that
// level when one is close enough to be a likely typo.
func (sc *sectionCtx) unknownKey(parts []string) error {
	var cands []string
	if len(parts) == 1 {
		cands = append(cands, "type")
	}
	for _, v := range sc.into {
		cands = append(cands, keysAt(reflect.TypeOf(v), parts[:len(parts)-1])...)
	}
	if s := suggest(parts[len(parts)-1], cands); s != "" {
		return fmt.Errorf("%w (did you mean %q?)", ErrUnknownKey, s)
	}
	return ErrUnknownKey
}

// keysAt returns the TOML keys of the struct t reached by following path
// (table keys) from it.
func keysAt(t reflect.Type, path []string) []string {
	for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Map || t.Kind() == reflect.Slice) {
		if t.Kind() == reflect.Map && len(path) > 0 {
			path = path[1:] // a map's key is free
		}
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if len(path) > 0 {
			if strings.EqualFold(name, path[0]) {
				return keysAt(f.Type, path[1:])
			}
			continue
		}
		keys = append(keys, name)
	}
	return keys
}

// suggest returns the candidate closest to name by edit distance, when it
// is close enough to be a likely typo (at most a third of name's length,
// and at least 1 and at most 3 edits), or "".
func suggest(name string, cands []string) string {
	limit := min(max(len(name)/3, 1), 3)
	best, bestD := "", limit+1
	slices.Sort(cands)
	for _, c := range cands {
		if c == name {
			continue
		}
		d := editDistance(strings.ToLower(name), strings.ToLower(c))
		if d < bestD || d == bestD && best != "" && commonPrefix(name, c) > commonPrefix(name, best) {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, with the swap
// of two adjacent bytes counted as one edit.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// commonPrefix is the length of the longest common prefix of a and b.
func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
