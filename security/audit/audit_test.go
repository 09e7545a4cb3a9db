package audit

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"
)

func TestLog(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "audit.db")
	l, err := Open(ctx, path, nil)
	require.NoError(t, err)

	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			l.Record(Entry{Kind: KindQuery, Source: "http", Action: "sql", TokenID: "tk_a", Name: "an", Role: "analyst",
				SQL: "SELECT 1", Rows: int64(i), Duration: time.Millisecond, Outcome: OK})
		})
	}
	wg.Wait()
	require.NoError(t, l.Append(ctx, Entry{Kind: KindAdmin, Source: "cli", Action: "token.revoke", Name: "root", Object: "tk_a", Outcome: OK}))
	l.Record(Entry{Kind: KindQuery, Source: "pgwire", Action: "sql", TokenID: "tk_b", Name: "bình", Role: "dashboard",
		SQL: "SELECT * FROM '/etc/passwd'", Outcome: Refused, Reason: "unqualified_table"})
	require.NoError(t, l.Flush(ctx))

	all, err := l.Entries(ctx, Filter{})
	require.NoError(t, err)
	assert.Len(t, all, 52)
	mine, err := l.Entries(ctx, Filter{User: "bình"})
	require.NoError(t, err)
	require.Len(t, mine, 1)
	assert.Equal(t, Refused, mine[0].Outcome)
	assert.Equal(t, "SELECT * FROM '/etc/passwd'", mine[0].SQL)
	refused, err := l.Entries(ctx, Filter{Outcome: Refused, Since: time.Now().Add(-time.Minute)})
	require.NoError(t, err)
	assert.Len(t, refused, 1)

	v, err := l.Verify(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 52, v.Entries)
	require.NoError(t, l.Close())

	// The table refuses edits; an edit made around the triggers shows in Verify.
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	_, err = db.ExecContext(ctx, `UPDATE audit SET sql = 'SELECT 2' WHERE id = 3`)
	assert.ErrorContains(t, err, "append-only")
	_, err = db.ExecContext(ctx, `DELETE FROM audit`)
	assert.ErrorContains(t, err, "append-only")
	_, err = db.ExecContext(ctx, `DROP TRIGGER audit_no_update`)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `UPDATE audit SET sql = 'SELECT 2' WHERE id = 3`)
	require.NoError(t, err)

	l, err = Open(ctx, path, nil)
	require.NoError(t, err)
	defer l.Close()
	_, err = l.Verify(ctx)
	assert.ErrorContains(t, err, "entry 3 was altered")
}

// TestVerifyFindsTruncation deletes the newest entries (around the
// triggers, as someone with the file would): the chain of what is left is
// whole, so only the head kept in security.db shows the cut (issue 12, item 5).
func TestVerifyFindsTruncation(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	path, headPath := filepath.Join(dir, "audit.db"), filepath.Join(dir, "security.db")
	l, err := Open(ctx, path, nil, WithHead(headPath))
	require.NoError(t, err)
	for i := range 100 {
		require.NoError(t, l.Append(ctx, Entry{Kind: KindQuery, Source: "http", Action: "sql", Name: "an", SQL: fmt.Sprint("SELECT ", i), Outcome: OK}))
	}
	v, err := l.Verify(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 100, v.Entries)
	require.NotNil(t, v.Head)
	assert.Equal(t, v.Last, Head{ID: v.Head.ID, Hash: v.Head.Hash})
	assert.EqualValues(t, 100, v.Head.ID)
	require.NoError(t, l.Close())

	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	_, err = db.ExecContext(ctx, `DROP TRIGGER audit_no_delete`)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `DELETE FROM audit WHERE id > 50`)
	require.NoError(t, err)

	l, err = Open(ctx, path, nil, WithHead(headPath))
	require.NoError(t, err)
	_, err = l.Verify(ctx)
	assert.ErrorContains(t, err, "cut short")
	assert.ErrorContains(t, err, "entries 51 to 100 were deleted")
	require.NoError(t, l.Close())

	// Entries forged after the cut, chained right, do not hide it: the entry
	// at the head is not the one recorded.
	l, err = Open(ctx, path, nil)
	require.NoError(t, err)
	for range 60 {
		require.NoError(t, l.Append(ctx, Entry{Kind: KindQuery, Source: "http", Action: "sql", Name: "an", SQL: "SELECT 0", Outcome: OK}))
	}
	require.NoError(t, l.Close())
	_, err = db.ExecContext(ctx, `DROP TRIGGER audit_no_delete`)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `DELETE FROM audit WHERE id > 50`)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `UPDATE sqlite_sequence SET seq = 50 WHERE name = 'audit'`)
	require.NoError(t, err)
	l, err = Open(ctx, path, nil)
	require.NoError(t, err)
	for range 60 {
		require.NoError(t, l.Append(ctx, Entry{Kind: KindQuery, Source: "http", Action: "sql", Name: "an", SQL: "SELECT 0", Outcome: OK}))
	}
	require.NoError(t, l.Close())
	l, err = Open(ctx, path, nil, WithHead(headPath))
	require.NoError(t, err)
	defer l.Close()
	_, err = l.Verify(ctx)
	assert.ErrorContains(t, err, "entry 100 does not match the head")

	// A head deleted from security.db is an error too, not a pass.
	hdb, err := sql.Open("sqlite", headPath)
	require.NoError(t, err)
	defer hdb.Close()
	_, err = hdb.ExecContext(ctx, `DELETE FROM audit_head`)
	require.NoError(t, err)
	_, err = l.Verify(ctx)
	assert.ErrorContains(t, err, "holds no head")
}

// TestHeadBehindAfterCrash: entries written by a process that stopped before
// it recorded the head are reported, not refused, and the next append moves
// the head over them.
func TestHeadBehindAfterCrash(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	path, headPath := filepath.Join(dir, "audit.db"), filepath.Join(dir, "security.db")
	l, err := Open(ctx, path, nil, WithHead(headPath))
	require.NoError(t, err)
	require.NoError(t, l.Append(ctx, Entry{Kind: KindAdmin, Source: "cli", Action: "token.create", Outcome: OK}))
	require.NoError(t, l.Close())
	noHead, err := Open(ctx, path, nil) // as if it stopped between the two writes
	require.NoError(t, err)
	require.NoError(t, noHead.Append(ctx, Entry{Kind: KindAdmin, Source: "cli", Action: "token.revoke", Outcome: OK}))
	require.NoError(t, noHead.Close())

	l, err = Open(ctx, path, nil, WithHead(headPath))
	require.NoError(t, err)
	defer l.Close()
	v, err := l.Verify(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 1, v.After)
	require.NoError(t, l.Append(ctx, Entry{Kind: KindAdmin, Source: "cli", Action: "token.revoke", Outcome: OK}))
	v, err = l.Verify(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 0, v.After)
	assert.EqualValues(t, 3, v.Head.ID)
}

// TestTally folds a flood of one client into two entries whose counts add
// up, and keeps other clients apart.
func TestTally(t *testing.T) {
	ctx := t.Context()
	l, err := Open(ctx, filepath.Join(t.TempDir(), "audit.db"), nil)
	require.NoError(t, err)
	defer l.Close()
	at := time.Now()
	for i := range 600 {
		l.Tally(Entry{At: at, Kind: KindAuth, Source: "http", Action: "auth", Remote: fmt.Sprintf("127.0.0.2:%d", 40000+i),
			Outcome: Denied, Reason: "invalid_token"})
	}
	l.Tally(Entry{At: at, Kind: KindAuth, Source: "http", Action: "dataset", Remote: "127.0.0.2:1", Outcome: Refused, Reason: "not_permitted", Object: "health.visits"})
	l.Tally(Entry{At: at, Kind: KindAuth, Source: "http", Action: "dataset", Remote: "127.0.0.2:1", Outcome: Refused, Reason: "not_permitted", Object: "labour.jobs"})
	l.Tally(Entry{At: at, Kind: KindAuth, Source: "pgwire", Action: "auth", Remote: "127.0.0.3:5", Outcome: Denied, Reason: "invalid_token"})
	require.NoError(t, l.Flush(ctx))
	es, err := l.Entries(ctx, Filter{})
	require.NoError(t, err)
	sums := map[string]int64{}
	var objects []string
	for _, e := range es {
		if e.Action == "dataset" {
			objects = append(objects, e.Object)
		}
		assert.NotContains(t, e.Remote, ":", "the port is not the client")
		sums[e.Source+" "+e.Action+" "+e.Remote] += e.Count
	}
	assert.Len(t, es, 5)
	assert.Equal(t, map[string]int64{"http auth 127.0.0.2": 600, "http dataset 127.0.0.2": 2, "pgwire auth 127.0.0.3": 1}, sums)
	assert.Equal(t, []string{"health.visits", "labour.jobs"}, objects)
	v, err := l.Verify(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 5, v.Entries)
}
