package dvcqg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/internal/secret"
)

// pages asks the provincial integration platform (LGSP) for the sync
// requests of one time window, page after page:
//
//	GET {url}?tuNgay=yyyyMMddHHmmss&denNgay=yyyyMMddHHmmss&page=N&pageSize=M
//	Authorization: Bearer {token}
//
// Each answer is a sync request, {"service": ..., "total": ..., "data": [...]},
// decoded as a stream from the response body. A page with fewer than M
// elements is the last. The window runs from the stored watermark minus the
// lag (or source.start) to the time the source was opened, which becomes the
// new watermark once every page was read.
//
// The retry loop is Kho's own (no library): it is a few lines, and it needs
// the platform's rules — Retry-After honoured, 4xx never retried, and a
// retry only before a page's body is read, so no row is read twice.
type pages struct {
	base     *url.URL
	token    Secret
	size     int
	from, to time.Time
	retry    Retry
	client   *http.Client
	log      *slog.Logger
	page     int  // the last page asked
	last     bool // the last page has been read
}

func newPages(c *Config, env connectors.Env, stored time.Time) (*pages, error) {
	u, err := url.Parse(c.URL)
	if err != nil {
		return nil, fmt.Errorf("source.url: %w", err)
	}
	from := stored.Add(-c.Lag)
	if stored.IsZero() {
		start := c.Start
		if start == "" {
			start = defaultStart
		}
		if from, err = parseStart(start); err != nil {
			return nil, fmt.Errorf("source.start: %w", err)
		}
	}
	p := &pages{
		base: u, token: c.Token, size: c.PageSize, retry: c.Retry,
		from: from.In(ict), to: time.Now().In(ict).Truncate(time.Second),
		client: &http.Client{Timeout: c.Timeout},
		log:    env.Log(),
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		p.log.Warn("dvcqg: the token is sent over plain http; use https", "url", u.Redacted())
	}
	p.log.Info("dvcqg: asking the endpoint for a window", "url", u.Redacted(),
		"tuNgay", p.from.Format(dateLayout), "denNgay", p.to.Format(dateLayout), "page_size", p.size)
	return p, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// pageURL is the request of page n.
func (p *pages) pageURL(n int) string {
	u := *p.base
	q := u.Query()
	q.Set("tuNgay", p.from.Format(dateLayout))
	q.Set("denNgay", p.to.Format(dateLayout))
	q.Set("page", strconv.Itoa(n))
	q.Set("pageSize", strconv.Itoa(p.size))
	u.RawQuery = q.Encode()
	return u.String()
}

func (p *pages) next(ctx context.Context) (*stream, error) {
	if p.last {
		return nil, nil
	}
	p.page++
	u := p.pageURL(p.page)
	what := fmt.Sprintf("%s (page %d)", u, p.page)
	body, err := p.get(ctx, u, what)
	if err != nil {
		return nil, err
	}
	return &stream{name: u, what: what, body: body, d: NewDecoder(body), strict: true}, nil
}

func (p *pages) finished(st *stream) {
	p.log.Info("dvcqg: read page", "url", st.name, "page", p.page, "elements", st.elements)
	if st.elements < p.size {
		p.last = true
	}
}

// watermark is the end of the window.
func (p *pages) watermark() string        { return p.to.Format(time.RFC3339) }
func (p *pages) files() map[string]string { return nil }

// get sends one request, trying again after a connection error, a 5xx or a
// 429, and returns the body of a 2xx answer.
func (p *pages) get(ctx context.Context, u, what string) (io.ReadCloser, error) {
	for attempt := 1; ; attempt++ {
		body, wait, err := p.try(ctx, u, what)
		if err == nil {
			return body, nil
		}
		var perm *permanent
		if errors.As(err, &perm) || ctx.Err() != nil {
			return nil, p.redact(err)
		}
		if attempt >= p.retry.Attempts {
			return nil, p.redact(fmt.Errorf("requesting %s: gave up after %d attempts: %w", what, attempt, err))
		}
		if wait == 0 {
			wait = p.backoff(attempt)
		} else if wait > p.retry.MaxWait {
			return nil, p.redact(fmt.Errorf("requesting %s: %w, and the server asks to wait %s (Retry-After), more than source.retry.max_wait %s", what, err, wait, p.retry.MaxWait))
		}
		p.log.Warn("dvcqg: request failed, trying again", "page", p.page, "attempt", attempt, "wait", wait, "error", p.redact(err).Error())
		if err := sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// permanent is a failure that no retry can mend (a 4xx answer).
type permanent struct{ err error }

func (e *permanent) Error() string { return e.err.Error() }
func (e *permanent) Unwrap() error { return e.err }

// try sends the request once. A retryable failure comes with the wait the
// server asked for (Retry-After), 0 when it asked none.
func (p *pages) try(ctx context.Context, u, what string) (io.ReadCloser, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, &permanent{fmt.Errorf("requesting %s: %w", what, err)}
	}
	req.Header.Set("Authorization", "Bearer "+p.token.Value())
	req.Header.Set("Accept", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("requesting %s: %w", what, err)
	}
	code := resp.StatusCode
	switch {
	case code == http.StatusNoContent:
		resp.Body.Close()
		return io.NopCloser(strings.NewReader("[]")), 0, nil
	case code >= 200 && code < 300:
		if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "text/html" {
			snippet := readSnippet(resp.Body)
			return nil, 0, &permanent{fmt.Errorf("requesting %s: the endpoint answered an HTML page, not JSON (a login or error page?): %q", what, snippet)}
		}
		return resp.Body, 0, nil
	}
	snippet := readSnippet(resp.Body)
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return nil, 0, &permanent{fmt.Errorf("requesting %s: the endpoint refused the token (%s): check source.token (LGSP_TOKEN) and that it is not expired", what, resp.Status)}
	case code == http.StatusTooManyRequests || code >= 500:
		return nil, retryAfter(resp.Header.Get("Retry-After"), time.Now()), fmt.Errorf("requesting %s: %s %q", what, resp.Status, snippet)
	}
	return nil, 0, &permanent{fmt.Errorf("requesting %s: %s %q", what, resp.Status, snippet)}
}

// readSnippet reads and closes a body, keeping its first 200 bytes for a message.
func readSnippet(body io.ReadCloser) string {
	defer body.Close()
	b, _ := io.ReadAll(io.LimitReader(body, 200))
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 1<<20)) // let the connection be reused
	return strings.ToValidUTF8(strings.TrimSpace(string(b)), "?")
}

// redact removes the token from a message, should a server echo it.
func (p *pages) redact(err error) error {
	t := p.token.Value()
	if t == "" || !strings.Contains(err.Error(), t) {
		return err
	}
	return secret.Redact(err, t)
}

// backoff is the pause before try attempt+1: Wait doubled each time, with
// up to a quarter of jitter, capped by MaxWait.
func (p *pages) backoff(attempt int) time.Duration {
	d := p.retry.Wait << min(attempt-1, 20)
	if d <= 0 || d > p.retry.MaxWait {
		d = p.retry.MaxWait
	}
	if d > 4 {
		d -= time.Duration(rand.Int64N(int64(d / 4)))
	}
	return d
}

// retryAfter reads a Retry-After header: seconds or an HTTP date; 0 when absent.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if n, err := strconv.Atoi(h); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
