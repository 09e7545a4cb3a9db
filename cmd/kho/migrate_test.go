package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSchemaMigration changes the type of a column of a kho init project's
// dataset, as a user edits schemas/…yaml: the run refuses the table, naming
// the migration (never iceberg-go's "cannot promote"); `kho lake migrate`
// rewrites the rows (int to text, then text to int, quarantining the value
// that is no number), the old snapshot keeps its old type by time travel;
// `kho run --full-refresh --recreate` reloads instead; `kho lake drop` asks
// for the name, deletes the table and its files, and the next run loads it
// anew.
func TestSchemaMigration(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "du-an")
	kho(t, "init", dir)
	config := filepath.Join(dir, "kho.yaml")
	schema := filepath.Join(dir, "schemas/culture_tourism/festivals.yaml")
	retype := func(from, to string) {
		b, err := os.ReadFile(schema)
		require.NoError(t, err)
		require.Contains(t, string(b), from)
		require.NoError(t, os.WriteFile(schema, []byte(strings.Replace(string(b), from, to, 1)), 0o644))
	}
	query := func(q string) string {
		return kho(t, "--config", config, "query", "-f", "csv", q)
	}
	const ds = "culture_tourism.festivals"
	run := []string{"--config", config, "run", "--no-marts", "culture_festivals"}
	out := kho(t, run...)
	assert.Contains(t, out, "written        4")
	first := strings.TrimSpace(strings.Split(query(`SELECT snapshot_id FROM kho.snapshots WHERE dataset = '`+ds+`'`), "\n")[1])

	// int -> text
	retype("Days, type: int, min: 1, max: 60", "Days, type: string")
	out, err := khoErr(t, run...)
	require.Error(t, err)
	assert.Contains(t, out, "column days changes type from long to string: this is a migration")
	assert.Contains(t, out, "kho lake migrate "+ds)
	assert.NotContains(t, out, "promote")
	out = kho(t, "--config", config, "lake", "migrate", ds)
	assert.Contains(t, out, "column days: long -> string")
	assert.Contains(t, out, "read 4  written 4  quarantined 0")
	assert.Equal(t, "festival_id,days,t\nLH001,3,VARCHAR\nLH002,2,VARCHAR\nLH003,1,VARCHAR\nLH004,2,VARCHAR\n",
		query(`SELECT festival_id, days, typeof(days) AS t FROM `+ds+` ORDER BY 1`))
	assert.Equal(t, "festival_id,days,t\nLH001,3,BIGINT\nLH002,2,BIGINT\nLH003,1,BIGINT\nLH004,2,BIGINT\n",
		query(`SELECT festival_id, days, typeof(days) AS t FROM `+ds+`__snapshot_`+first+` ORDER BY 1`), "the old snapshot keeps its type")
	// A text value now loads; the run goes on.
	csvPath := filepath.Join(dir, "data/le_hoi/le_hoi_2025.csv")
	f, err := os.OpenFile(csvPath, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString("LH009,Lễ hội Mùa Xuân,Phường Tô Hiệu,15/09/2025,ba,10\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	out = kho(t, run...)
	assert.Contains(t, out, "written        5")

	// text -> int: "ba" cannot convert and is quarantined with the reason.
	retype("Days, type: string", "Days, type: int")
	_, err = khoErr(t, run...)
	require.Error(t, err)
	out = kho(t, "--config", config, "lake", "migrate", ds)
	assert.Contains(t, out, "column days: string -> long")
	assert.Contains(t, out, "read 5  written 4  quarantined 1")
	assert.Equal(t, "festival_id,t\nLH001,BIGINT\nLH002,BIGINT\nLH003,BIGINT\nLH004,BIGINT\n",
		query(`SELECT festival_id, typeof(days) AS t FROM `+ds+` ORDER BY 1`))
	assert.Equal(t, "rule,column_name,raw_value,pipeline\ntype,days,ba,kho lake migrate\n",
		query(`SELECT rule, column_name, raw_value, pipeline FROM `+ds+`__quarantine WHERE pipeline = 'kho lake migrate'`))
	out = kho(t, "--config", config, "lake", "migrate", ds)
	assert.Contains(t, out, "nothing to migrate")
	out = kho(t, run...)
	assert.Contains(t, out, "written        4")

	// Or reload from the source: the table starts again at one snapshot.
	retype("Visitors, type: int, min: 0", "Visitors, type: string")
	_, err = khoErr(t, run...)
	require.Error(t, err)
	_, err = khoErr(t, "--config", config, "run", "--recreate", "culture_festivals")
	require.Error(t, err, "--recreate needs --full-refresh")
	out = kho(t, "--config", config, "run", "--no-marts", "--full-refresh", "--recreate", "culture_festivals")
	assert.Contains(t, out, "written        4")
	assert.Equal(t, "n\n1\n", query(`SELECT count(*) AS n FROM kho.snapshots WHERE dataset = '`+ds+`'`))
	assert.Equal(t, "t\nVARCHAR\n", query(`SELECT DISTINCT typeof(visitors) AS t FROM `+ds))

	// Drop: the name must be typed.
	root := newRoot()
	var buf strings.Builder
	root.SetOut(&buf)
	root.SetErr(&buf)
	root.SetIn(strings.NewReader("festivals\n"))
	root.SetArgs([]string{"--config", config, "lake", "drop", ds})
	require.Error(t, root.ExecuteContext(t.Context()))
	assert.Contains(t, buf.String(), "Type the dataset's name to confirm")
	assert.Contains(t, query(`SELECT count(*) AS n FROM `+ds), "n\n4\n", "not dropped")
	folder := filepath.Join(dir, "kho-data/lake/culture_tourism.db/festivals")
	require.DirExists(t, folder)
	out = kho(t, "--config", config, "lake", "drop", "--yes", ds)
	assert.Contains(t, out, "dropped "+ds+" ")
	assert.Contains(t, out, "dropped "+ds+"__quarantine")
	assert.NoDirExists(t, folder)
	assert.NotContains(t, kho(t, "--config", config, "lake", "tables"), ds+"__quarantine")
	out = kho(t, run...)
	assert.Contains(t, out, "changes: 4 inserted, 0 updated, 0 deleted", "the next run loads the dataset anew")
}
