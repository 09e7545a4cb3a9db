package engine

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSettingsOfEveryDatabase: the serving and the catalog databases have
// their locks and folders on every connection (connections opened later
// too; the time zone once held on the first connection only): no external
// access, locked, and the only folders a statement could reach are the
// lake's and the database's own spill folder (none for a catalog, which has
// no file either).
func TestSettingsOfEveryDatabase(t *testing.T) {
	f := newFixture(t, Options{MaxConcurrent: 3})
	cat, release, err := f.engine.catalogFor(t.Context(), analyst)
	require.NoError(t, err)
	defer release()
	lake, err := filepath.Abs(f.Root)
	require.NoError(t, err)
	for name, db := range map[string]*database{"masked": f.engine.masked, "raw": f.engine.raw, "catalog": cat} {
		t.Run(name, func(t *testing.T) {
			// Three connections at once: each is a new one.
			for range 3 {
				conn, err := db.db.Conn(t.Context())
				require.NoError(t, err)
				defer conn.Close()
				var tz, access, lock, temp, dirs string
				require.NoError(t, conn.QueryRowContext(t.Context(), `SELECT current_setting('TimeZone'),
					current_setting('enable_external_access')::VARCHAR, current_setting('lock_configuration')::VARCHAR,
					current_setting('temp_directory'), current_setting('allowed_directories')::VARCHAR`).Scan(&tz, &access, &lock, &temp, &dirs))
				assert.Equal(t, "Asia/Ho_Chi_Minh", tz)
				assert.Equal(t, "false", access)
				assert.Equal(t, "true", lock)
				if name == "catalog" {
					assert.Equal(t, "", temp)
					assert.Equal(t, "[]", dirs)
					continue
				}
				spill := filepath.Join(f.engine.opt.TempDir, map[string]string{"masked": "masked", "raw": "pii"}[name])
				assert.Equal(t, spill, temp)
				// DuckDB lets its statements reach its spill folder: the
				// database's own, beside the lake's (the sandbox refuses
				// every file access, COPY included, before DuckDB sees it).
				for _, d := range strings.Split(strings.Trim(dirs, "[]"), ", ") {
					assert.True(t, strings.HasPrefix(d, lake+"/") || d == spill+"/", "%s reaches %s", name, d)
				}
			}
		})
	}
}
