package dvcqg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
)

const testToken = "s3cret-LGSP-token-0123456789"

// lgsp is a test double of the provincial integration platform's sync
// endpoint, served by a real HTTP server: it pages n dossiers, checks the
// token, and can be told to fail some requests first.
type lgsp struct {
	mu       sync.Mutex
	n        int
	requests []*http.Request
	// fail answers request number i (1-based) itself when it returns true.
	fail func(i int, w http.ResponseWriter, r *http.Request) bool
	// broken is a page whose body is cut into invalid JSON.
	broken int
}

func (l *lgsp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	l.requests = append(l.requests, r.Clone(r.Context()))
	i := len(l.requests)
	l.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		http.Error(w, `{"error":"invalid token"}`, http.StatusUnauthorized)
		return
	}
	if l.fail != nil && l.fail(i, w, r) {
		return
	}
	q := r.URL.Query()
	page, err1 := strconv.Atoi(q.Get("page"))
	size, err2 := strconv.Atoi(q.Get("pageSize"))
	_, err3 := time.Parse(dateLayout, q.Get("tuNgay"))
	_, err4 := time.Parse(dateLayout, q.Get("denNgay"))
	if err := errors.Join(err1, err2, err3, err4); err != nil || page < 1 || size < 1 {
		http.Error(w, "bad paging", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	var b strings.Builder
	fmt.Fprintf(&b, `{"service":"DongBoHoSoMC","total":%d,"data":[`, l.n)
	for k := (page-1)*size + 1; k <= min(page*size, l.n); k++ {
		if k > (page-1)*size+1 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"MaHoSo":"000.00.06.H56-250701-%04d","ChuHoSo":"Lò Văn Tùng","NgayTiepNhan":"20250701080000"}`, k)
	}
	b.WriteString("]}")
	body := b.String()
	if page == l.broken {
		body = strings.Replace(body, `"ChuHoSo":`, `"ChuHoSo" `, 1)
	}
	io.WriteString(w, body)
}

func (l *lgsp) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.requests)
}

func (l *lgsp) request(i int) *http.Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.requests[i]
}

func urlConfig(srv *httptest.Server, pageSize int) *Config {
	c := NewConfig()
	c.URL, c.Token, c.PageSize = srv.URL+"/dvcqg/DongBoHoSoMC", Secret(testToken), pageSize
	c.Start = "2025-07-01"
	c.Retry = Retry{Attempts: 3, Wait: 5 * time.Millisecond, MaxWait: 2 * time.Second}
	c.Timeout = 5 * time.Second
	return c
}

// readAll reads a source to its end: the MaHoSo of every row, the error
// that ended it, the logs and the watermark.
type outcome struct {
	ids       []string
	files     []string
	err       error
	logs      string
	watermark string
}

func readURL(t *testing.T, c *Config, state *connectors.State) outcome {
	t.Helper()
	require.NoError(t, c.Validate())
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	var logs bytes.Buffer
	env := connectors.Env{Alloc: alloc, BatchSize: 4, State: state, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	var o outcome
	src, err := c.Open(t.Context(), env)
	if err != nil {
		o.err, o.logs = err, logs.String()
		return o
	}
	defer src.Close()
	for {
		b, err := src.Next(t.Context())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			o.err = err
			break
		}
		ids := b.Column(0).(*array.String)
		files := b.Column(b.Schema().FieldIndices(connectors.ColFile)[0]).(*array.String)
		for i := range ids.Len() {
			o.ids = append(o.ids, ids.Value(i))
			o.files = append(o.files, files.Value(i))
		}
		b.Release()
	}
	o.watermark = src.(*Source).Watermark()
	o.logs = logs.String()
	return o
}

func TestEndpointPaging(t *testing.T) {
	for _, tt := range []struct {
		name           string
		n, size, calls int
	}{
		{"last page short", 7, 3, 3},
		{"exact multiple: one empty page ends it", 6, 3, 3},
		{"one page", 2, 100, 1},
		{"nothing", 0, 10, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := &lgsp{n: tt.n}
			srv := httptest.NewServer(l)
			defer srv.Close()
			o := readURL(t, urlConfig(srv, tt.size), nil)
			require.NoError(t, o.err)
			assert.Len(t, o.ids, tt.n)
			for i, id := range o.ids {
				assert.Equal(t, fmt.Sprintf("000.00.06.H56-250701-%04d", i+1), id)
			}
			assert.Equal(t, tt.calls, l.count())
			for i := range l.count() {
				assert.Equal(t, strconv.Itoa(i+1), l.request(i).URL.Query().Get("page"))
				assert.Equal(t, strconv.Itoa(tt.size), l.request(i).URL.Query().Get("pageSize"))
			}
			if tt.n > 0 {
				assert.Contains(t, o.files[0], srv.URL+"/dvcqg/DongBoHoSoMC?")
				assert.Contains(t, o.files[0], "page=1")
			}
			assert.NotEmpty(t, o.watermark, "every page was read: the window's end is the watermark")
			assert.NotContains(t, o.logs, testToken)
		})
	}
}

func TestEndpointAuthFailure(t *testing.T) {
	l := &lgsp{n: 3}
	srv := httptest.NewServer(l)
	defer srv.Close()
	c := urlConfig(srv, 10)
	c.Token = "wrong-" + testToken
	o := readURL(t, c, nil)
	require.Error(t, o.err)
	assert.Contains(t, o.err.Error(), "refused the token (401 Unauthorized)")
	assert.Contains(t, o.err.Error(), "(page 1)")
	assert.NotContains(t, o.err.Error(), testToken)
	assert.NotContains(t, o.logs, testToken)
	assert.Equal(t, 1, l.count(), "a 4xx is never retried")
	assert.Empty(t, o.watermark)
}

func TestEndpointClientError(t *testing.T) {
	l := &lgsp{n: 3, fail: func(i int, w http.ResponseWriter, r *http.Request) bool {
		http.Error(w, "no such service "+testToken, http.StatusNotFound)
		return true
	}}
	srv := httptest.NewServer(l)
	defer srv.Close()
	o := readURL(t, urlConfig(srv, 10), nil)
	require.Error(t, o.err)
	assert.Contains(t, o.err.Error(), "404 Not Found")
	assert.NotContains(t, o.err.Error(), testToken, "a token echoed by the server is redacted")
	assert.Equal(t, 1, l.count())
}

func TestEndpointRetries(t *testing.T) {
	tests := []struct {
		name    string
		fail    func(i int, w http.ResponseWriter, r *http.Request) bool
		calls   int
		minWait time.Duration
		err     string
	}{
		{name: "503 then success", calls: 2, fail: func(i int, w http.ResponseWriter, _ *http.Request) bool {
			if i == 1 {
				http.Error(w, "maintenance", http.StatusServiceUnavailable)
			}
			return i == 1
		}},
		{name: "429 with Retry-After honoured", calls: 2, minWait: time.Second, fail: func(i int, w http.ResponseWriter, _ *http.Request) bool {
			if i == 1 {
				w.Header().Set("Retry-After", "1")
				http.Error(w, "slow down", http.StatusTooManyRequests)
			}
			return i == 1
		}},
		{name: "connection dropped then success", calls: 2, fail: func(i int, w http.ResponseWriter, _ *http.Request) bool {
			if i == 1 {
				conn, _, err := http.NewResponseController(w).Hijack()
				if err == nil {
					conn.Close()
				}
			}
			return i == 1
		}},
		{name: "always 500: gives up", calls: 3, err: "gave up after 3 attempts", fail: func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			http.Error(w, "boom", http.StatusInternalServerError)
			return true
		}},
		{name: "Retry-After beyond max_wait", calls: 1, err: "asks to wait 1h0m0s (Retry-After), more than source.retry.max_wait", fail: func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			w.Header().Set("Retry-After", "3600")
			http.Error(w, "later", http.StatusServiceUnavailable)
			return true
		}},
		{name: "an HTML page is not retried", calls: 1, err: "answered an HTML page", fail: func(_ int, w http.ResponseWriter, _ *http.Request) bool {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html>Đăng nhập</html>")
			return true
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &lgsp{n: 2, fail: tt.fail}
			srv := httptest.NewServer(l)
			defer srv.Close()
			start := time.Now()
			o := readURL(t, urlConfig(srv, 10), nil)
			assert.Equal(t, tt.calls, l.count())
			assert.GreaterOrEqual(t, time.Since(start), tt.minWait)
			if tt.err != "" {
				require.Error(t, o.err)
				assert.Contains(t, o.err.Error(), tt.err)
				assert.Empty(t, o.watermark)
				return
			}
			require.NoError(t, o.err)
			assert.Len(t, o.ids, 2)
			assert.Contains(t, o.logs, "trying again")
			assert.NotContains(t, o.logs, testToken)
		})
	}
}

func TestEndpointBrokenPage(t *testing.T) {
	l := &lgsp{n: 5, broken: 2}
	srv := httptest.NewServer(l)
	defer srv.Close()
	o := readURL(t, urlConfig(srv, 2), nil)
	require.Error(t, o.err)
	assert.Equal(t, []string{"000.00.06.H56-250701-0001", "000.00.06.H56-250701-0002"}, o.ids, "the rows of page 1 come first")
	// {"service":"DongBoHoSoMC","total":5,"data":[{"MaHoSo":"…-0003","ChuHoSo" "…
	// the quote after the space is byte 92 (0-based), column 93.
	assert.Contains(t, o.err.Error(), "&page=2&pageSize=2&tuNgay=20250701000000 (page 2): line 1, column 93 (byte 92): invalid character '\"' after object key")
	assert.Equal(t, 2, l.count(), "a page whose body was read is not asked again")
	assert.Empty(t, o.watermark, "no watermark from a failed read")
}

func TestEndpointIncremental(t *testing.T) {
	l := &lgsp{n: 1}
	srv := httptest.NewServer(l)
	defer srv.Close()
	c := urlConfig(srv, 10)
	c.Lag = 15 * time.Minute

	before := time.Now().Truncate(time.Second)
	first := readURL(t, c, nil)
	require.NoError(t, first.err)
	q := l.request(0).URL.Query()
	assert.Equal(t, "20250701000000", q.Get("tuNgay"), "the first window starts at source.start")
	wm, err := time.Parse(time.RFC3339, first.watermark)
	require.NoError(t, err)
	assert.False(t, wm.Before(before), "the watermark is the time the window was asked up to")
	assert.Equal(t, wm.In(ict).Format(dateLayout), q.Get("denNgay"))
	assert.True(t, strings.HasSuffix(first.watermark, "+07:00"))

	second := readURL(t, c, &connectors.State{Watermark: first.watermark})
	require.NoError(t, second.err)
	q = l.request(1).URL.Query()
	assert.Equal(t, wm.Add(-15*time.Minute).In(ict).Format(dateLayout), q.Get("tuNgay"), "the second run asks from the watermark minus the lag")
	wm2, err := time.Parse(time.RFC3339, second.watermark)
	require.NoError(t, err)
	assert.False(t, wm2.Before(wm))
}

func TestEndpointCancelledWhileWaiting(t *testing.T) {
	l := &lgsp{n: 1, fail: func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		w.Header().Set("Retry-After", "30")
		http.Error(w, "later", http.StatusServiceUnavailable)
		return true
	}}
	srv := httptest.NewServer(l)
	defer srv.Close()
	c := urlConfig(srv, 10)
	c.Retry.MaxWait = time.Minute
	src, err := c.Open(t.Context(), connectors.Env{})
	require.NoError(t, err)
	defer src.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = src.Next(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 10*time.Second)
}

func TestSecretNeverPrinted(t *testing.T) {
	s := Secret(testToken)
	for _, got := range []string{s.String(), fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", s, s, s, s)} {
		assert.NotContains(t, got, testToken)
	}
	c := NewConfig()
	c.Token = s
	assert.NotContains(t, fmt.Sprintf("%v %+v", c, c), testToken)
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "token", s, "cfg", c)
	assert.NotContains(t, logs.String(), testToken)
	assert.Equal(t, testToken, s.Value())
}
