package connectors

import (
	"context"
	"io"
	"log/slog"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sonla-data/kho/internal/provenance"
)

// Reserved provenance columns. A Source may add them to its batches so that a
// bad row can be traced back to where it came from; the conform step reads and
// drops them. _kho_file is the path (or URL, or table) the row was read from and
// _kho_row its 1-based line or row number in that file (for a database, the
// ordinal of the row in the result).
//
// _kho_error, when present and not null on a row, says that the source could
// not read that row as it should (a ragged CSV line, a broken JSON record): the
// text names the column and what was wrong, and the conform step quarantines
// the row with that reason instead of loading it. Nothing is dropped silently.
//
// The names are defined in internal/provenance, which the conform step reads
// without importing this package.
const (
	ColFile  = provenance.File
	ColRow   = provenance.Row
	ColError = provenance.Error
)

// Source is a stream of Arrow record batches read from one source.
//
// Next returns the next batch, or io.EOF when the stream is done. Every batch
// has the schema returned by Schema. The caller owns each batch it receives and
// must Release it. A Source holds at most a bounded number of rows in memory,
// whatever the size of its input. Close releases every resource and may be
// called at any time, also before the stream is done.
type Source interface {
	Schema() *arrow.Schema
	Next(ctx context.Context) (arrow.RecordBatch, error)
	Close() error
}

// Env is what a connector gets from the runner when it opens a source.
type Env struct {
	// BaseDir resolves relative paths in the configuration (the folder of the
	// pipeline file, or the working directory).
	BaseDir string
	// Logger receives the connector's decisions (detected encodings, skipped
	// files). Never nil when set by the runner; use Env.Log() to be safe.
	Logger *slog.Logger
	// Alloc allocates every Arrow buffer of the source's batches.
	Alloc memory.Allocator
	// BatchSize is the number of rows per batch (default DefaultBatchSize).
	BatchSize int
	// State is the incremental state stored with the target's last commit:
	// nil on the first run or a full refresh.
	State *State
	// Pipeline is the name of the pipeline reading the source.
	Pipeline string
	// Columns, when set, says which source columns the reader needs (the
	// key columns of a key-only scan): a source that can read fewer columns
	// (the SQL sources: SELECT of those columns alone) keeps only those it
	// accepts, and its incremental column; the others read every column.
	Columns func(name string) bool
	// DryRun says the run commits nothing: a source must change nothing at
	// its origin either (PostgreSQL's change data capture creates, drops
	// and advances no replication slot and no publication).
	DryRun bool
}

// Wants reports whether a source reads column name (see Env.Columns).
func (e Env) Wants(name string) bool { return e.Columns == nil || e.Columns(name) }

// DefaultBatchSize is the number of rows per batch when Env.BatchSize is 0.
const DefaultBatchSize = 8192

// Log returns the logger, or a discarding one.
func (e Env) Log() *slog.Logger {
	if e.Logger != nil {
		return e.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Allocator returns the allocator, or the Go allocator.
func (e Env) Allocator() memory.Allocator {
	if e.Alloc != nil {
		return e.Alloc
	}
	return memory.DefaultAllocator
}

// Rows returns the batch size to use.
func (e Env) Rows() int {
	if e.BatchSize > 0 {
		return e.BatchSize
	}
	return DefaultBatchSize
}

// State is the incremental state of a source, kept in the lake commit of the
// target it feeds (so data and state are one commit).
type State struct {
	// Watermark is the highest value of the incremental column loaded so far,
	// as text (RFC 3339 for times).
	Watermark string `json:"watermark,omitempty"`
	// Files maps a loaded file's path to the SHA-256 of its content.
	Files map[string]string `json:"files,omitempty"`
	// Position is where a change log was read to (PostgreSQL: the LSN
	// after the last change committed, like 0/16B3748).
	Position string `json:"position,omitempty"`
}

// RawDigester is a Source that can fingerprint what it reads from the bytes
// its origin sends, cheaper than from its decoded batches (an unchanged
// overwrite rerun only needs to know whether its input changed). Two
// readings with equal digests, by the same build of Kho, decode to equal
// batches: the digest covers the bytes and everything that decides how
// they are decoded.
type RawDigester interface {
	// DigestRaw makes the source write its digest's input into h as it
	// reads. It is called before the first Next; false says this reading
	// cannot be digested so (the caller then hashes the batches).
	DigestRaw(h io.Writer) bool
	// DrainRaw reads the rest of the source into the digest without
	// decoding its rows and says how many rows there were, or -1 when it
	// does not count them (a file source does not parse them); progress,
	// when set, gets the running count (0 for such a source) now and then.
	DrainRaw(ctx context.Context, progress func(rows int64)) (int64, error)
}
