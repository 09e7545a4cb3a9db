package pipelines

import (
	"context"
	"errors"
	"io"
	"runtime"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/schemas"
)

// job is one source batch on its way through conformAll.
type job struct {
	in   arrow.RecordBatch
	prep *schemas.Prepared
	err  error
	done chan struct{} // closed once prep (or err) is set
}

func (j *job) release() {
	if j.in != nil {
		j.in.Release()
		j.in = nil
	}
	if j.prep != nil {
		j.prep.Release()
		j.prep = nil
	}
}

// workers is the number of goroutines that prepare batches.
func (r *Runner) workers() int {
	if r.Workers > 0 {
		return r.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// conformAll reads the source to its end and conforms every batch. One
// goroutine reads and transforms batches, r.workers() goroutines convert and
// check them (schemas.Conformer.Prepare on forks of conf), and this goroutine
// finishes them in source order (uniqueness, counts) and spools them. At
// most about three batches per worker are in flight, so memory stays bounded;
// the results are those of conforming the batches one after the other.
func (r *Runner) conformAll(ctx context.Context, p *Pipeline, src connectors.Source, conf *schemas.Conformer,
	tr *transformer, discard map[int]bool, ex *extraction, res *Result) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := r.workers()
	work := make(chan *job, n)
	order := make(chan *job, 2*n)

	var wg sync.WaitGroup
	for range n {
		f := conf.Fork()
		wg.Go(func() {
			for j := range work {
				j.prep = f.Prepare(j.in)
				j.in.Release()
				j.in = nil
				close(j.done)
			}
		})
	}
	// The reader: every job goes to the workers first, then in order to
	// this goroutine, which therefore never waits for a job no worker has.
	// Batches wait in a Holdback until the number formats of their files are
	// decided (schemas.Holdback; at most holdbackRows rows).
	go func() {
		defer close(order)
		defer close(work)
		hold := conf.Holdback(holdbackRows)
		defer hold.Release()
		send := func(bs []arrow.RecordBatch) bool {
			for i, in := range bs {
				j := &job{in: in, done: make(chan struct{})}
				select {
				case work <- j:
				case <-ctx.Done():
					j.release()
					releaseAll(bs[i+1:])
					return false
				}
				select {
				case order <- j:
				case <-ctx.Done():
					<-j.done
					j.release()
					releaseAll(bs[i+1:])
					return false
				}
			}
			return true
		}
		for {
			batch, err := src.Next(ctx)
			if errors.Is(err, io.EOF) {
				send(hold.Flush())
				return
			}
			var in arrow.RecordBatch
			if err == nil {
				noteFiles(batch, ex.files)
				in, err = r.prepareBatch(p, tr, discard, batch)
			} else {
				err = &RunError{Pipeline: p.Name, Step: "reading the source", Err: err}
			}
			if err != nil {
				j := &job{err: err, done: make(chan struct{})}
				close(j.done)
				select {
				case order <- j:
				case <-ctx.Done():
				}
				return
			}
			if !send(hold.Add(in)) {
				return
			}
		}
	}()

	var err error
	for j := range order {
		<-j.done
		if err != nil || j.err != nil {
			if err == nil {
				err = j.err
				cancel()
			}
			j.release()
			continue
		}
		good, bad, ferr := conf.Finish(j.prep)
		j.prep = nil
		if ferr == nil {
			ferr = r.spoolConformed(p, good, bad, ex, res)
		} else {
			ferr = &RunError{Pipeline: p.Name, Step: "conforming", Err: ferr}
		}
		if ferr != nil {
			err = ferr
			cancel()
			continue
		}
		if r.Hooks.Progress != nil {
			r.Hooks.Progress(p.Name, conf.Stats().Read)
		}
	}
	wg.Wait()
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	return err
}

func releaseAll(bs []arrow.RecordBatch) {
	for _, b := range bs {
		b.Release()
	}
}
