// Package loadgen sends a bounded load to a Kho server and measures it:
// latency percentiles, errors and throughput. The server's load test and
// benchmarks use it, and so can `make bench` against a running `kho serve`.
package loadgen

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Config bounds a run.
type Config struct {
	Concurrency int           // workers (default 64)
	Requests    int           // requests in all (default 1000)
	Timeout     time.Duration // per request (default 30 s)
}

// Stats is what a run measured.
type Stats struct {
	Requests, Errors   int
	P50, P95, P99, Max time.Duration
	Elapsed            time.Duration
	FirstError         error
}

// RPS is the throughput.
func (s Stats) RPS() float64 { return float64(s.Requests) / s.Elapsed.Seconds() }

func (s Stats) String() string {
	return fmt.Sprintf("%d requests, %d errors, p50 %s, p95 %s, p99 %s, max %s, %.0f req/s",
		s.Requests, s.Errors, s.P50.Round(10*time.Microsecond), s.P95.Round(10*time.Microsecond),
		s.P99.Round(10*time.Microsecond), s.Max.Round(10*time.Microsecond), s.RPS())
}

// Request is one request of a run: worker is the worker's number, i the
// request's. A non-nil error counts as an error.
type Request func(ctx context.Context, worker, i int) error

// Run sends cfg.Requests requests from cfg.Concurrency workers and measures them.
func Run(ctx context.Context, cfg Config, req Request) Stats {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 64
	}
	if cfg.Requests <= 0 {
		cfg.Requests = 1000
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range cfg.Requests {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	var mu sync.Mutex
	lat := make([]time.Duration, 0, cfg.Requests)
	var st Stats
	start := time.Now()
	var wg sync.WaitGroup
	for w := range cfg.Concurrency {
		wg.Go(func() {
			for i := range next {
				rctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
				t0 := time.Now()
				err := req(rctx, w, i)
				d := time.Since(t0)
				cancel()
				mu.Lock()
				lat = append(lat, d)
				if err != nil {
					st.Errors++
					if st.FirstError == nil {
						st.FirstError = err
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	st.Elapsed = time.Since(start)
	st.Requests = len(lat)
	slices.Sort(lat)
	if n := len(lat); n > 0 {
		st.P50, st.P95, st.P99, st.Max = lat[n*50/100], lat[min(n-1, n*95/100)], lat[min(n-1, n*99/100)], lat[n-1]
	}
	return st
}

// HTTP is a request to a Kho server with a token ("" none): it fails
// unless the status is 200 and the whole body arrives.
func HTTP(client *http.Client, method, url, token, contentType, body string) Request {
	return func(ctx context.Context, _, _ int) error {
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, url, r)
		if err != nil {
			return err
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s %s: %d %s", method, url, resp.StatusCode, b)
		}
		return nil
	}
}
