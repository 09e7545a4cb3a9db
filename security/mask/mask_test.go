package mask

import (
	"database/sql"
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
		{"cccd", "cccd", "VARCHAR", "'014150727289'", "014*******89"},
		{"cccd short", "cccd", "VARCHAR", "'0141'", "****"},
		{"cccd null", "cccd", "VARCHAR", "NULL", nil},
		{"phone", "phone", "VARCHAR", "'0912345678'", "09******78"},
		{"phone with spaces", "phone", "VARCHAR", "'091 234 5678'", "09******78"},
		{"email", "email", "VARCHAR", "'nguyenvana@gmail.com'", "n***@gmail.com"},
		{"email without at", "email", "VARCHAR", "'nguyenvana'", "***"},
		{"name", "name", "VARCHAR", "'Nguyễn Văn An'", "N. V. A."},
		{"name lower case and spaces", "name", "VARCHAR", "'  đặng   đức phong '", "Đ. Đ. P."},
		{"name empty", "name", "VARCHAR", "''", nil},
		{"birth date", "birth_date", "DATE", "DATE '1990-05-17'", int32(1990)},
		{"birth date text", "birth_date", "VARCHAR", "'17/05/1990'", int32(1990)},
		{"birth year stays", "birth_date", "BIGINT", "1990", int64(1990)},
		{"address", "address", "VARCHAR", "'Bản Mòng, xã Hua La, tỉnh Sơn La'", "xã Hua La, tỉnh Sơn La"},
		{"address ward", "address", "VARCHAR", "'Tổ 2, Phường Tô Hiệu'", "Phường Tô Hiệu"},
		{"address without commune", "address", "VARCHAR", "'Bản Mòng'", nil},
		{"tax code", "tax_code", "VARCHAR", "'8012345623'", "801*****23"},
		{"social insurance", "social_insurance", "VARCHAR", "'1412345689'", "14******89"},
		{"health", "health", "VARCHAR", "'J20'", nil},
		{"ethnicity", "ethnicity", "VARCHAR", "'Thái'", nil},
		{"unknown tag", "secret", "VARCHAR", "'x'", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			col := "CAST(" + tc.value + " AS " + tc.typ + ")"
			var got any
			require.NoError(t, db.QueryRowContext(t.Context(), "SELECT "+Expr(tc.tag, col, tc.typ)).Scan(&got))
			assert.Equal(t, tc.want, got)
			var typ string
			require.NoError(t, db.QueryRowContext(t.Context(), "SELECT typeof("+Expr(tc.tag, col, tc.typ)+")").Scan(&typ))
			assert.Equal(t, Type(tc.tag, tc.typ), typ)
		})
	}
}
