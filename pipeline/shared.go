package pipeline

import "sync"

// Shared is where the plugins of one engine (one running configuration)
// meet when one must reach another: StatsdInput and StatFilter add to the
// accumulator of the StatAccumInput they name. Values are kept by key while
// a plugin holds them, and made by the first plugin that asks. Engines in
// one process (tests, a future live reload) each have their own Shared, so
// their plugins never meet.
type Shared struct {
	mu sync.Mutex
	m  map[string]*sharedEntry
}

type sharedEntry struct {
	v    any
	refs int
}

// NewShared returns an empty Shared.
func NewShared() *Shared { return &Shared{m: map[string]*sharedEntry{}} }

// Acquire returns the value held under key, made with make when no plugin
// holds one, and the function that gives the hold up (calling it again does
// nothing). The value is dropped once every holder gave it up: the next
// Acquire makes a new one. Use a key that names the plugin family
// ("statsd.accumulator/<name>").
func (s *Shared) Acquire(key string, make func() any) (v any, release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.m[key]
	if e == nil {
		e = &sharedEntry{v: make()}
		s.m[key] = e
	}
	e.refs++
	var once sync.Once
	return e.v, func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if e.refs--; e.refs == 0 && s.m[key] == e {
				delete(s.m, key)
			}
		})
	}
}

// Len returns how many keys are held.
func (s *Shared) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}
