package mt

import (
	"fmt"
	"testing"
)

// BenchmarkApertiumBatch compares translating 10 segments in one apertium run with one
// run per segment: each run pays apertium's start-up (a shell pipeline of a dozen
// processes loading their dictionaries).
//
//	go test -run '^$' -bench BenchmarkApertiumBatch -benchtime 20x ./internal/mt/
func BenchmarkApertiumBatch(b *testing.B) {
	a := requireApertium(b)
	segments := make([]string, 10)
	for i := range segments {
		segments[i] = fmt.Sprintf("The federation calls for a **day of struggle** on %d March.\n\nWorkers of the world, unite!", i+1)
	}
	for _, perCall := range []int{10, 1} {
		b.Run(fmt.Sprintf("%d-per-call", perCall), func(b *testing.B) {
			for b.Loop() {
				for i := 0; i < len(segments); i += perCall {
					if _, err := a.Translate(b.Context(), Pair{Source: "en", Target: "es"}, segments[i:i+perCall]); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(segments)), "ns/segment")
		})
	}
}
