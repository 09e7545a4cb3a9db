package audit

import (
	"database/sql"
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

	n, err := l.Verify(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 52, n)
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
