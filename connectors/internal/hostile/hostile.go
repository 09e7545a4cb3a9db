// Package hostile measures what reading a hostile file costs: the wall
// time, the process's CPU time and the peak of the Go heap, for the
// connectors' hostile-file suites.
package hostile

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"syscall"
	"time"
)

// Cost is what one call cost.
type Cost struct {
	Wall, CPU time.Duration
	// PeakHeap is the highest live heap seen (sampled every millisecond),
	// above the heap before the call.
	PeakHeap uint64
}

// Measure runs f and returns its cost.
func Measure(f func()) Cost {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := read()
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			if h := read(); h > peak {
				peak = h
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	cpu0 := cpuTime()
	start := time.Now()
	f()
	c := Cost{Wall: time.Since(start), CPU: cpuTime() - cpu0}
	close(stop)
	wg.Wait()
	if h := read(); h > peak {
		peak = h
	}
	if peak > base {
		c.PeakHeap = peak - base
	}
	return c
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
