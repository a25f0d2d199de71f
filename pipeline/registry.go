package pipeline

import (
	"fmt"
	"sort"
	"strings"
)

// Kind is a plugin family, named by the suffix of the plugin's type name.
type Kind int

// The plugin kinds, in Heka's load order.
const (
	KindDecoder Kind = iota
	KindEncoder
	KindSplitter
	KindInput
	KindFilter
	KindOutput
)

var kindNames = [...]string{"Decoder", "Encoder", "Splitter", "Input", "Filter", "Output"}

// String returns the kind's name, which is also the type-name suffix.
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// KindOf returns the kind a type name belongs to by its suffix (Heka's
// naming contract): "TcpInput" is an input.
func KindOf(typeName string) (Kind, bool) {
	for k, s := range kindNames {
		if strings.HasSuffix(typeName, s) && len(typeName) > len(s) {
			return Kind(k), true
		}
	}
	return 0, false
}

// Registration describes one registered plugin type.
type Registration struct {
	// Name is the type name used in configs (e.g. "TcpInput").
	Name string
	// Kind is the plugin family.
	Kind Kind
	// Sample is the plugin's sample configuration (TOML), printed by
	// `hekad -sample`.
	Sample string

	newConfig func() any
	build     func(cfg any, env *Env) (any, error)
}

// NewConfig returns a pointer to a new config struct holding the plugin's
// defaults, ready to be decoded into.
func (r *Registration) NewConfig() any { return r.newConfig() }

// Build constructs the plugin from a config made by NewConfig. The result
// implements the interface of r.Kind. Build opens no sockets and starts no
// goroutines; a panic in the constructor is returned as an error.
func (r *Registration) Build(cfg any, env *Env) (p any, err error) {
	defer func() {
		if v := recover(); v != nil {
			p, err = nil, fmt.Errorf("%s %q: constructor panicked: %v", r.Name, env.Name(), v)
		}
	}()
	return r.build(cfg, env)
}

// Option modifies a registration.
type Option func(*Registration)

// WithSample attaches a sample configuration to a registration.
func WithSample(toml string) Option { return func(r *Registration) { r.Sample = toml } }

var registry = map[string]*Registration{}

func register[C any, P any](kind Kind, name string, defaults func() C, build func(C, *Env) (P, error), opts []Option) {
	if name == "" {
		panic("pipeline: Register with an empty name")
	}
	if defaults == nil || build == nil {
		panic("pipeline: Register " + name + " with a nil function")
	}
	if k, ok := KindOf(name); !ok || k != kind {
		panic(fmt.Sprintf("pipeline: %s registered as %v but its name does not end in %q", name, kind, kind.String()))
	}
	if _, dup := registry[name]; dup {
		panic("pipeline: " + name + " registered twice")
	}
	r := &Registration{
		Name: name,
		Kind: kind,
		newConfig: func() any {
			c := defaults()
			return &c
		},
		build: func(cfg any, env *Env) (any, error) {
			c, ok := cfg.(*C)
			if !ok {
				return nil, fmt.Errorf("%s %q: config is %T, want %T", name, env.Name(), cfg, (*C)(nil))
			}
			return build(*c, env)
		},
	}
	for _, o := range opts {
		o(r)
	}
	registry[name] = r
}

// RegisterInput registers an input type. Call it from an init function.
func RegisterInput[C any](name string, defaults func() C, build func(C, *Env) (Input, error), opts ...Option) {
	register(KindInput, name, defaults, build, opts)
}

// RegisterSplitter registers a splitter type. build is called once per
// stream, so it must be cheap.
func RegisterSplitter[C any](name string, defaults func() C, build func(C, *Env) (Splitter, error), opts ...Option) {
	register(KindSplitter, name, defaults, build, opts)
}

// RegisterDecoder registers a decoder type. build is called once per input
// (or per stream), so it must be cheap.
func RegisterDecoder[C any](name string, defaults func() C, build func(C, *Env) (Decoder, error), opts ...Option) {
	register(KindDecoder, name, defaults, build, opts)
}

// RegisterFilter registers a filter type.
func RegisterFilter[C any](name string, defaults func() C, build func(C, *Env) (Filter, error), opts ...Option) {
	register(KindFilter, name, defaults, build, opts)
}

// RegisterEncoder registers an encoder type. build is called once per output.
func RegisterEncoder[C any](name string, defaults func() C, build func(C, *Env) (Encoder, error), opts ...Option) {
	register(KindEncoder, name, defaults, build, opts)
}

// RegisterOutput registers an output type.
func RegisterOutput[C any](name string, defaults func() C, build func(C, *Env) (Output, error), opts ...Option) {
	register(KindOutput, name, defaults, build, opts)
}

// Lookup returns the registration of a type name.
func Lookup(name string) (*Registration, bool) {
	r, ok := registry[name]
	return r, ok
}

// Registered returns every registration, ordered by kind then name.
func Registered() []*Registration {
	all := make([]*Registration, 0, len(registry))
	for _, r := range registry {
		all = append(all, r)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Kind != all[j].Kind {
			return all[i].Kind < all[j].Kind
		}
		return all[i].Name < all[j].Name
	})
	return all
}

// Validator is implemented by plugin config types that check themselves.
// Validate is pure and fast and names the key in every error.
type Validator interface{ Validate() error }
