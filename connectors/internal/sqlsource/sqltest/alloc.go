package sqltest

import (
	"sync"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// PeakAllocator is an allocator that remembers the most bytes it held at
// once, to show that a source holds one batch, not its whole input.
type PeakAllocator struct {
	memory.Allocator
	mu        sync.Mutex
	cur, peak int
}

// NewPeakAllocator wraps an allocator (a checked one, in tests).
func NewPeakAllocator(a memory.Allocator) *PeakAllocator { return &PeakAllocator{Allocator: a} }

func (p *PeakAllocator) add(n int) {
	p.mu.Lock()
	p.cur += n
	p.peak = max(p.peak, p.cur)
	p.mu.Unlock()
}

// Allocate allocates and counts.
func (p *PeakAllocator) Allocate(size int) []byte {
	b := p.Allocator.Allocate(size)
	p.add(len(b))
	return b
}

// Reallocate reallocates and counts.
func (p *PeakAllocator) Reallocate(size int, b []byte) []byte {
	old := len(b)
	nb := p.Allocator.Reallocate(size, b)
	p.add(len(nb) - old)
	return nb
}

// Free frees and counts.
func (p *PeakAllocator) Free(b []byte) {
	p.add(-len(b))
	p.Allocator.Free(b)
}

// Peak is the most bytes held at once.
func (p *PeakAllocator) Peak() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.peak
}
