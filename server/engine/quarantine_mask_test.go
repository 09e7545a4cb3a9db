package engine

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/security/auth"
)

// A quarantine's raw_value mixes the raw text of every column: its mask is
// text in every branch, also for a birth_date column (whose mask is a year).
func TestQuarantineRawValueMaskIsText(t *testing.T) {
	d := &describe{obj: auth.Object{Name: "labour.job_seekers__quarantine", Kind: auth.Quarantine},
		pii: map[string]string{"birth_year": "birth_date", "full_name": "name"}}
	sel := d.maskedSelect([]Column{{Name: "column_name", Type: "VARCHAR"}, {Name: "rule", Type: "VARCHAR"}, {Name: "raw_value", Type: "VARCHAR"}})
	db, err := sql.Open("duckdb", "")
	require.NoError(t, err)
	defer db.Close()
	q := "SELECT " + strings.Join(sel, ", ") + ` FROM (VALUES ('birth_year', 'pattern', 'năm 1987'), ('full_name', 'pattern', 'Lò Văn Pằng'), ('phone', 'pattern', '0912'),
		('', 'read', 'line 3: 3 fields, header has 2 (extra: "Lò Văn Pằng")')) q(column_name, rule, raw_value) ORDER BY column_name`
	rows, err := db.Query(q)
	require.NoError(t, err, q)
	defer rows.Close()
	var got []string
	for rows.Next() {
		var c, r string
		var v sql.NullString
		require.NoError(t, rows.Scan(&c, &r, &v))
		got = append(got, c+"="+v.String)
	}
	require.NoError(t, rows.Err())
	// A reader's message (rule read) may quote any value: hidden.
	assert.Equal(t, []string{"=", "birth_year=1987", "full_name=L. V. P.", "phone=0912"}, got)
}
