package dvcqg

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/sonla-data/kho/connectors"
)

func init() {
	connectors.Register(connectors.Spec{
		Name:      "dvcqg",
		Summary:   "dossier records of the national public-service portal (DongBoHoSoMC / CapNhatTienDoHoSoMC JSON)",
		NewConfig: func() connectors.Config { return NewConfig() },
	})
}

// The record kinds a source can read.
const (
	RecordDossiers  = "dossiers"
	RecordDocuments = "documents"
	RecordResults   = "results"
	RecordProgress  = "progress"
)

// Config is the `source:` block of a pipeline reading DVCQG dossier records,
// from files (path) or from the provincial integration platform (url).
type Config struct {
	// Path is a file or a glob (`**` for any folders) relative to the
	// pipeline's folder; matching files are read in sorted order.
	Path string `yaml:"path"`
	// URL is an HTTP(S) endpoint of the provincial integration platform
	// (LGSP) answering sync requests page by page; see README.md.
	URL string `yaml:"url"`
	// Token is sent as `Authorization: Bearer <token>`; write it as
	// ${LGSP_TOKEN}, never in the file.
	Token Secret `yaml:"token"`
	// PageSize is the pageSize asked of the endpoint; a page with fewer
	// items is the last.
	PageSize int `yaml:"page_size"`
	// Timeout bounds one request, its body included.
	Timeout time.Duration `yaml:"timeout"`
	// Lag is how far before the stored watermark the next window starts,
	// for records the platform received late.
	Lag time.Duration `yaml:"lag"`
	// Start is where the first window starts (yyyy-mm-dd or
	// yyyyMMddHHmmss, Asia/Ho_Chi_Minh) when no watermark is stored.
	Start string `yaml:"start"`
	// Retry says how failed requests (5xx, 429, connection errors) are tried again.
	Retry Retry `yaml:"retry"`
	// Record is what one row is: dossiers (default), documents, results or
	// progress.
	Record string `yaml:"record"`
	// Incremental skips dossiers (or steps) not newer than the stored
	// watermark.
	Incremental *Incremental `yaml:"incremental"`
}

// Retry is the retry policy of the HTTP requests.
type Retry struct {
	// Attempts is the number of tries of one request, the first included.
	Attempts int `yaml:"attempts"`
	// Wait is the pause after the first failure; it doubles after each
	// (with jitter), up to MaxWait.
	Wait time.Duration `yaml:"wait"`
	// MaxWait caps a pause, also one asked by a Retry-After header: a
	// server asking for longer is an error.
	MaxWait time.Duration `yaml:"max_wait"`
}

// defaultStart is the first window's start when neither a watermark nor
// source.start is set: before any dossier of the portal.
const defaultStart = "2000-01-01"

// Incremental names the date field compared with the watermark.
type Incremental struct {
	// Column is a yyyyMMddHHmmss field: NgayTiepNhan, NgayNopHoSo, ... for
	// dossiers, documents and results; ThoiDiemXuLy, ... for progress.
	Column string `yaml:"column"`
}

// NewConfig returns a config with its defaults: record dossiers; for an
// endpoint, pages of 100, a 60 s timeout, a 10 min lag, 5 attempts from 1 s
// up to 1 min apart.
func NewConfig() *Config {
	return &Config{
		Record: RecordDossiers, PageSize: 100, Timeout: time.Minute, Lag: 10 * time.Minute,
		Retry: Retry{Attempts: 5, Wait: time.Second, MaxWait: time.Minute},
	}
}

// Validate reports every problem of the config at once.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("source.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	switch {
	case strings.TrimSpace(c.Path) == "" && strings.TrimSpace(c.URL) == "":
		bad("path", "give a file or a glob of files (or source.url, an endpoint)")
	case c.Path != "" && c.URL != "":
		bad("url", "give source.path or source.url, not both")
	case c.Path != "":
		if err := connectors.CheckGlob(c.Path); err != nil {
			errs = append(errs, err)
		}
	default:
		errs = append(errs, c.validateURL()...)
	}
	kind, ok := records[c.Record]
	if !ok {
		bad("record", "%q is not one of dossiers, documents, results, progress", c.Record)
	}
	if inc := c.Incremental; inc != nil && ok {
		dates := dossierDates
		if kind.service == ServiceProgress {
			dates = progressDates
		}
		if !slices.Contains(dates, inc.Column) {
			bad("incremental.column", "%q is not a date field of %s records; use one of %s",
				inc.Column, c.Record, strings.Join(dates, ", "))
		}
	}
	return errors.Join(errs...)
}

// validateURL checks the keys of an endpoint source.
func (c *Config) validateURL() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("source.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	u, err := url.Parse(c.URL)
	switch {
	case err != nil:
		bad("url", "not a URL: %v", err)
	case u.Scheme != "http" && u.Scheme != "https":
		bad("url", "%q is not an http:// or https:// URL", c.URL)
	case u.Host == "":
		bad("url", "%q has no host", c.URL)
	case u.User != nil:
		bad("url", "put no user or password in the URL; the token goes in source.token")
	}
	if strings.TrimSpace(c.Token.Value()) == "" {
		bad("token", "required with source.url: write token: ${LGSP_TOKEN} and set the variable")
	}
	if c.PageSize < 1 || c.PageSize > 10000 {
		bad("page_size", "%d is not between 1 and 10000", c.PageSize)
	}
	if c.Timeout <= 0 {
		bad("timeout", "%s is not a positive duration", c.Timeout)
	}
	if c.Lag < 0 {
		bad("lag", "%s is negative", c.Lag)
	}
	if c.Start != "" {
		if _, err := parseStart(c.Start); err != nil {
			bad("start", "%v", err)
		}
	}
	if c.Retry.Attempts < 1 {
		bad("retry.attempts", "%d: at least 1 (the first try)", c.Retry.Attempts)
	}
	if c.Retry.Wait < 0 || c.Retry.MaxWait < c.Retry.Wait {
		bad("retry", "wait %s and max_wait %s: need 0 <= wait <= max_wait", c.Retry.Wait, c.Retry.MaxWait)
	}
	if c.Incremental != nil {
		bad("incremental", "not used with source.url: the endpoint is asked for the records changed since the last window (tuNgay/denNgay), see source.lag")
	}
	return errs
}

// parseStart reads source.start: yyyy-mm-dd or yyyyMMddHHmmss, in ICT.
func parseStart(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", dateLayout} {
		if t, err := time.ParseInLocation(layout, s, ict); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is neither yyyy-mm-dd nor yyyyMMddHHmmss", s)
}
