package lake

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/internal/sqlitedsn"
)

// TestCatalogUnreachableTellsMachineFromDamage: real SQLite errors of a
// full database (max_page_count reached: SQLITE_FULL, as a full disk) and
// of the file system (ENOSPC) are the machine's trouble, said with the free
// space and "do not restore"; a file that is not a database is not (it is
// the catalog's damage, for catalogLost and its restore advice).
func TestCatalogUnreachableTellsMachineFromDamage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "catalog.db")
	db, err := sql.Open("sqlite", sqlitedsn.File(path))
	require.NoError(t, err)
	defer db.Close()
	db.SetMaxOpenConns(1)
	_, err = db.Exec(`CREATE TABLE t (x blob)`)
	require.NoError(t, err)
	_, err = db.Exec(`PRAGMA max_page_count = 3`)
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO t VALUES (zeroblob(100000))`)
	require.Error(t, err, "the database is full")
	e := catalogUnreachable("SQLite catalog "+path, path, err)
	require.Error(t, e)
	assert.Contains(t, e.Error(), "the disk may be full or failing; "+dir+" has ")
	assert.Contains(t, e.Error(), "do not restore a backup over it")

	e = catalogUnreachable("SQLite catalog "+path, path, fmt.Errorf("writing: %w", &os.PathError{Op: "write", Path: path, Err: syscall.ENOSPC}))
	require.Error(t, e)
	assert.Contains(t, e.Error(), "the disk is full")

	junk := filepath.Join(dir, "junk.db")
	require.NoError(t, os.WriteFile(junk, []byte("this is not a database, it is 64 bytes of text......................"), 0o644))
	jdb, err := sql.Open("sqlite", sqlitedsn.File(junk))
	require.NoError(t, err)
	defer jdb.Close()
	var n int
	err = jdb.QueryRow(`SELECT count(*) FROM sqlite_master`).Scan(&n)
	require.Error(t, err)
	assert.NoError(t, catalogUnreachable("SQLite catalog "+junk, junk, err), "a damaged file is not the machine's trouble: %v", err)
}
