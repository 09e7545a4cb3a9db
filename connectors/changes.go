package connectors

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
)

// ChangeCapture is a Config that reads a change log (PostgreSQL logical
// replication) instead of rows: its pipeline must merge by a key, and its
// sources are Changes.
type ChangeCapture interface {
	CapturesChanges() bool
}

// Changes is a Source of a change log. Its batches are the rows inserted or
// updated since the stored position (State.Position), in the order they
// changed — a key may come several times, the last row wins — or, on a
// first run or a full refresh, every row of a snapshot consistent with the
// log (Snapshot).
//
// The runner calls TrackKey before the first Next; after io.EOF, Deleted
// gives the keys whose last change of the run was a delete, and Position
// the position to store with the commit. Once the commit succeeded (or
// there was nothing to commit), Confirm tells the source that it may
// forget the changes read; a run that fails or is killed never calls it,
// and the next run reads them again from the stored position.
type Changes interface {
	Source
	// Snapshot reports whether the run reads a snapshot of every row (no
	// deletes: the rows absent from it are to be deleted).
	Snapshot() bool
	// TrackKey names the source columns of the target's key.
	TrackKey(cols []string) error
	// Deleted returns batches of the source's schema holding the keys of
	// the rows deleted (other columns null); the caller releases them.
	Deleted() []arrow.RecordBatch
	// Position is the position after the changes read ("" when the run
	// read no change and the stored one stays).
	Position() string
	// Confirm acknowledges the committed position to the source.
	Confirm(ctx context.Context) error
}
