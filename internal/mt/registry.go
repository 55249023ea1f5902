package mt

import (
	"context"
	"fmt"
	"sync"
)

// Registry holds the configured engines by name, in order of preference. It is safe for
// concurrent use; it is immutable after NewRegistry.
type Registry struct {
	engines []Engine
}

// NewRegistry returns a registry of engines, the preferred first. Names must be unique.
func NewRegistry(engines ...Engine) (*Registry, error) {
	seen := map[string]bool{}
	for _, e := range engines {
		if seen[e.Name()] {
			return nil, fmt.Errorf("mt registry: engine %q configured twice", e.Name())
		}
		seen[e.Name()] = true
	}
	return &Registry{engines: append([]Engine(nil), engines...)}, nil
}

// Engine returns the engine with the given name.
func (r *Registry) Engine(name string) (Engine, bool) {
	for _, e := range r.engines {
		if e.Name() == name {
			return e, true
		}
	}
	return nil, false
}

// Engines returns all engines in order of preference.
func (r *Registry) Engines() []Engine { return append([]Engine(nil), r.engines...) }

// For lists, in order of preference, the engines that can translate p: those offering p
// itself, or p from its source's base language ("pt-BR" text translated as "pt"). Tags
// compare case-insensitively. The engines are asked concurrently; one that fails to
// answer (not installed, unreachable, ctx done) is left out, so pass a ctx with a
// deadline. Pairs of HTTP engines cost a request each: callers that ask often should
// keep the answer for a while.
func (r *Registry) For(ctx context.Context, p Pair) []Engine {
	ok := make([]bool, len(r.engines))
	var wg sync.WaitGroup
	for i, e := range r.engines {
		wg.Go(func() {
			pairs, err := e.Pairs(ctx)
			if err == nil {
				_, ok[i] = resolvePair(pairs, p)
			}
		})
	}
	wg.Wait()
	var engines []Engine
	for i, e := range r.engines {
		if ok[i] {
			engines = append(engines, e)
		}
	}
	return engines
}
