package sqlitedsn

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"
)

// A database under a folder whose name holds a URI's special characters, a
// space and Vietnamese letters is created exactly at its path, and nothing
// is created beside it.
func TestFileOddPaths(t *testing.T) {
	for _, dir := range []string{"kho#2", "nơi khác?x", "100%41", "dữ liệu số 1", "a%2Fb"} {
		t.Run(dir, func(t *testing.T) {
			parent := t.TempDir()
			require.NoError(t, os.Mkdir(filepath.Join(parent, dir), 0o755))
			path := filepath.Join(parent, dir, "catalog.db")
			db, err := sql.Open("sqlite", File(path, "_pragma=busy_timeout(10000)", "_pragma=journal_mode(WAL)"))
			require.NoError(t, err)
			_, err = db.Exec(`CREATE TABLE t (x int)`)
			require.NoError(t, err)
			require.NoError(t, db.Close())
			_, err = os.Stat(path)
			require.NoError(t, err, "the database is at its path")
			ents, err := os.ReadDir(parent)
			require.NoError(t, err)
			require.Len(t, ents, 1, "nothing beside the folder: %v", ents)

			ro, err := sql.Open("sqlite", File(path, "mode=ro"))
			require.NoError(t, err)
			defer ro.Close()
			var n int
			require.NoError(t, ro.QueryRow(`SELECT count(*) FROM t`).Scan(&n))
		})
	}
}
