package mask

import (
	"database/sql"
	"regexp"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExpr(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	cases := []struct {
		name, tag, typ, value string
		want                  any
	}{
		{"cccd null", "cccd", "VARCHAR", "NULL", nil},
		{"name", "name", "VARCHAR", "'Nguyễn Văn An'", "N. V. A."},
		{"name lower case and spaces", "name", "VARCHAR", "'  đặng   đức phong '", "Đ. Đ. P."},
		{"name empty", "name", "VARCHAR", "''", nil},
		{"birth date", "birth_date", "DATE", "DATE '1990-05-17'", int32(1990)},
		{"birth date text", "birth_date", "VARCHAR", "'17/05/1990'", int32(1990)},
		{"birth year stays", "birth_date", "BIGINT", "1990", int64(1990)},
		{"address", "address", "VARCHAR", "'Bản Mòng, xã Hua La, tỉnh Sơn La'", "xã Hua La, tỉnh Sơn La"},
		{"address ward", "address", "VARCHAR", "'Tổ 2, Phường Tô Hiệu'", "Phường Tô Hiệu"},
		{"address without commune", "address", "VARCHAR", "'Bản Mòng'", nil},
		{"health", "health", "VARCHAR", "'J20'", nil},
		{"ethnicity", "ethnicity", "VARCHAR", "'Thái'", nil},
		{"unknown tag", "secret", "VARCHAR", "'x'", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			col := "CAST(" + tc.value + " AS " + tc.typ + ")"
			var got any
			require.NoError(t, db.QueryRowContext(t.Context(), "SELECT "+Expr(tc.tag, col, tc.typ, "health.visits")).Scan(&got))
			assert.Equal(t, tc.want, got)
			var typ string
			require.NoError(t, db.QueryRowContext(t.Context(), "SELECT typeof("+Expr(tc.tag, col, tc.typ, "health.visits")+")").Scan(&typ))
			assert.Equal(t, Type(tc.tag, tc.typ), typ)
		})
	}
}

// TestIdentifiersArePseudonyms (issue 12 item 15): a masked identifier keeps
// its look (length, stars in the middle) but none of its characters come
// from the value: they come from a pseudonym keyed by the connection's key
// and the dataset. The same key gives the same form (counts by person work);
// another token's key or another dataset gives another; no key gives NULL.
func TestIdentifiersArePseudonyms(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(t.Context())
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	keyA, keyB := TokenKey([]byte("secret"), "token-a"), TokenKey([]byte("secret"), "token-b")
	assert.NotEqual(t, keyA, keyB)
	assert.Equal(t, keyA, TokenKey([]byte("secret"), "token-a"))
	assert.NotEqual(t, keyA, TokenKey([]byte("other secret"), "token-a"))
	mask := func(key, tag, value, scope string) any {
		t.Helper()
		if key == "" {
			_, err := conn.ExecContext(t.Context(), "RESET VARIABLE "+KeyVariable)
			require.NoError(t, err)
		} else {
			_, err := conn.ExecContext(t.Context(), "SET VARIABLE "+KeyVariable+" = '"+key+"'")
			require.NoError(t, err)
		}
		var got any
		require.NoError(t, conn.QueryRowContext(t.Context(), "SELECT "+Expr(tag, quote(value), "VARCHAR", scope)).Scan(&got))
		return got
	}
	cases := []struct {
		tag, value string
		look       *regexp.Regexp
	}{
		{"cccd", "014150727289", regexp.MustCompile(`^[0-9A-Z]{4}\*{4}[0-9A-Z]{4}$`)},
		{"cccd", "01415072728X", regexp.MustCompile(`^[0-9A-Z]{4}\*{4}[0-9A-Z]{4}$`)},
		{"cccd", "0141", regexp.MustCompile(`^[0-9A-Z]{2}\*[0-9A-Z]$`)},
		{"cccd", "7", regexp.MustCompile(`^\*$`)},
		{"phone", "091 234 5678", regexp.MustCompile(`^[0-9A-Z]{4}\*{2}[0-9A-Z]{4}$`)},
		{"tax_code", "8012345623", regexp.MustCompile(`^[0-9A-Z]{4}\*{2}[0-9A-Z]{4}$`)},
		{"social_insurance", "1412345689", regexp.MustCompile(`^[0-9A-Z]{4}\*{2}[0-9A-Z]{4}$`)},
		{"email", "nguyenvana@gmail.com", regexp.MustCompile(`^[0-9a-z]{8}\*{3}@gmail\.com$`)},
		{"email", "nguyenvana", regexp.MustCompile(`^\*\*\*$`)},
	}
	for _, tc := range cases {
		t.Run(tc.tag+" "+tc.value, func(t *testing.T) {
			a := mask(keyA, tc.tag, tc.value, "health.visits")
			s, ok := a.(string)
			require.True(t, ok, "%v", a)
			assert.Regexp(t, tc.look, s)
			assert.Equal(t, a, mask(keyA, tc.tag, tc.value, "health.visits"), "stable for one token")
			if len(tc.value) > 4 && tc.value != "nguyenvana" {
				assert.NotEqual(t, a, mask(keyB, tc.tag, tc.value, "health.visits"), "another token")
				assert.NotEqual(t, a, mask(keyA, tc.tag, tc.value, "labour.job_seekers"), "another dataset")
				assert.NotEqual(t, a, mask(keyA, tc.tag, tc.value+"1", "health.visits"), "another value")
			}
			if tc.value != "nguyenvana" && tc.value != "7" {
				assert.Nil(t, mask("", tc.tag, tc.value, "health.visits"), "no key, no pseudonym")
			}
		})
	}
	// The old masks kept the real ends: 014*******89 and 09******78.
	assert.NotRegexp(t, `^014|89$`, mask(keyA, "cccd", "014150727289", "health.visits"))
	// The same person written two ways is one pseudonym (the phone's digits).
	assert.Equal(t, mask(keyA, "phone", "0912345678", "x"), mask(keyA, "phone", "091.234.5678", "x"))

	// 20 000 different CCCDs: 20 000 different displayed forms (counts by
	// person work on the masked column).
	_, err = conn.ExecContext(t.Context(), "SET VARIABLE "+KeyVariable+" = '"+keyA+"'")
	require.NoError(t, err)
	var distinct int
	require.NoError(t, conn.QueryRowContext(t.Context(), "SELECT count(DISTINCT "+Expr("cccd", "v", "VARCHAR", "health.visits")+
		") FROM (SELECT CAST(14000000000 + i * 7919 AS VARCHAR) AS v FROM range(20000) t(i))").Scan(&distinct))
	assert.Equal(t, 20000, distinct)
}
