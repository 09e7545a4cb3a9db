package sqlsource

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/sonla-data/kho/connectors"
)

// Spec is the part of a database source's `source:` block that every
// database connector shares; connectors embed it inline.
type Spec struct {
	// DSN is the connection string, a secret: never printed.
	DSN Secret `yaml:"dsn"`
	// Table is a table or view, optionally `schema.table`. Give Table or Query.
	Table string `yaml:"table"`
	// Query is one read-only SELECT, run as a subquery. Give Table or Query.
	Query string `yaml:"query"`
	// Incremental, when set, reads only rows newer than the stored watermark.
	Incremental *Incremental `yaml:"incremental"`
	// BatchRows is the number of rows per batch and per fetch (0: the
	// runner's batch size, 8192).
	BatchRows int `yaml:"batch_rows"`
	// Retries is how many times a failed connection is tried again (default 3).
	Retries int `yaml:"retries"`
	// RetryWait is the wait before the first retry, doubled each time (default 1s).
	RetryWait string `yaml:"retry_wait"`
	// ConnectTimeout bounds one connection attempt (default 10s).
	ConnectTimeout string `yaml:"connect_timeout"`
}

// Incremental picks up only new or changed rows.
type Incremental struct {
	// Mode is column (the default: a watermark on Column) or cdc (change
	// data capture: the database's change log, for connectors that can read
	// one; see CDC).
	Mode string `yaml:"mode"`
	// Column is compared with the stored watermark: rows with
	// column > watermark − lag are read.
	Column string `yaml:"column"`
	// Lag re-reads rows up to this far below the watermark, for rows that
	// were committed after the previous run's snapshot with a lower value: a
	// duration (10m) for date and time columns, a number for numeric ones.
	Lag string `yaml:"lag"`
	// IncludeNulls also reads, on incremental runs, every row whose column is
	// NULL. Such rows are always read by a full run.
	IncludeNulls bool `yaml:"include_nulls"`
	// Slot and Publication name the replication slot and the publication of
	// mode cdc (default: kho_ and the pipeline's name).
	Slot        string `yaml:"slot"`
	Publication string `yaml:"publication"`
}

// Incremental modes.
const (
	ModeColumn = "column"
	ModeCDC    = "cdc"
)

// CDC reports whether the spec reads a change log (incremental.mode: cdc).
func (s *Spec) CDC() bool { return s.Incremental != nil && s.Incremental.Mode == ModeCDC }

// CursorColumn is the incremental column (incremental.column), "" without
// one or in mode cdc. Its value changes whenever a row changes, so a merge
// screens the table's rows by it (lake.Write.Version).
func (s *Spec) CursorColumn() string {
	if s.Incremental == nil || s.CDC() {
		return ""
	}
	return s.Incremental.Column
}

// DefaultSpec is the shared part with its defaults filled in.
func DefaultSpec() Spec {
	return Spec{Retries: 3, RetryWait: "1s", ConnectTimeout: "10s"}
}

// Validate reports every problem of the shared part, each naming its key.
func (s *Spec) Validate() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("source.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if strings.TrimSpace(s.DSN.Value()) == "" {
		bad("dsn", "give the connection string (e.g. dsn: ${HEALTH_DB_DSN})")
	}
	hasTable, hasQuery := strings.TrimSpace(s.Table) != "", strings.TrimSpace(s.Query) != ""
	switch {
	case hasTable && hasQuery:
		bad("table", "give table or query, not both")
	case !hasTable && !hasQuery:
		bad("table", "give table or query")
	case hasTable:
		if _, _, err := SplitTable(s.Table); err != nil {
			bad("table", "%v", err)
		}
	}
	if inc := s.Incremental; inc != nil && inc.Mode == ModeCDC {
		errs = append(errs, validateCDC(s)...)
	} else if inc != nil {
		if inc.Mode != "" && inc.Mode != ModeColumn {
			bad("incremental.mode", "%q must be column or cdc", inc.Mode)
		}
		if inc.Slot != "" || inc.Publication != "" {
			bad("incremental", "slot and publication are for mode: cdc")
		}
		if inc.Column == "" {
			bad("incremental.column", "give the column compared with the watermark")
		} else if err := CheckIdent(inc.Column); err != nil {
			bad("incremental.column", "%v", err)
		}
		if _, err := ParseLag(inc.Lag); err != nil {
			bad("incremental.lag", "%v", err)
		}
	}
	if s.BatchRows < 0 {
		bad("batch_rows", "%d is negative", s.BatchRows)
	}
	if s.Retries < 0 || s.Retries > 20 {
		bad("retries", "%d is not between 0 and 20", s.Retries)
	}
	for _, kv := range [][2]string{{"retry_wait", s.RetryWait}, {"connect_timeout", s.ConnectTimeout}} {
		if kv[1] == "" {
			continue
		}
		if d, err := time.ParseDuration(kv[1]); err != nil || d < 0 {
			bad(kv[0], "%q is not a duration (like 1s or 500ms)", kv[1])
		}
	}
	return errs
}

// Backoff is the connection retry policy.
func (s *Spec) Backoff() Backoff {
	return Backoff{Retries: s.Retries, Wait: duration(s.RetryWait, time.Second)}
}

// Timeout bounds one connection attempt.
func (s *Spec) Timeout() time.Duration { return duration(s.ConnectTimeout, 10*time.Second) }

// Rows is the number of rows per batch.
func (s *Spec) Rows(env connectors.Env) int {
	if s.BatchRows > 0 {
		return s.BatchRows
	}
	return env.Rows()
}

// Lag is the parsed incremental lag (Validate has checked it).
func (s *Spec) Lag() Lag {
	if s.Incremental == nil {
		return Lag{}
	}
	l, _ := ParseLag(s.Incremental.Lag)
	return l
}

func duration(s string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(s); err == nil && s != "" {
		return d
	}
	return def
}

// validateCDC checks the spec of mode cdc: a table (a query has no change
// log), no column, lag or include_nulls, and the slot and publication names.
func validateCDC(s *Spec) []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("source.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	inc := s.Incremental
	if strings.TrimSpace(s.Table) == "" {
		bad("incremental.mode", "cdc reads the changes of a table: give table, not query")
	}
	if inc.Column != "" || inc.Lag != "" || inc.IncludeNulls {
		bad("incremental", "mode: cdc reads every change: column, lag and include_nulls are for mode: column")
	}
	for _, kv := range [][2]string{{"slot", inc.Slot}, {"publication", inc.Publication}} {
		if kv[1] != "" && !slotNameRe.MatchString(kv[1]) {
			bad("incremental."+kv[0], "%q must be 1 to 63 lower-case letters, digits and _", kv[1])
		}
	}
	return errs
}

var slotNameRe = regexp.MustCompile(`^[a-z0-9_]{1,63}$`)
