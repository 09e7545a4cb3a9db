package mask

import (
	"fmt"
	"strings"
)

// Tags are the PII tags with a mask other than NULL.
var Tags = []string{"cccd", "phone", "email", "name", "birth_date", "address", "health", "ethnicity", "tax_code", "social_insurance"}

// Expr is the SQL expression that masks col (an SQL expression, usually a
// quoted column) of a column tagged tag whose DuckDB type is typ.
func Expr(tag, col, typ string) string {
	typ = strings.ToUpper(strings.TrimSpace(typ))
	text := col
	if typ != "VARCHAR" {
		text = "CAST(" + col + " AS VARCHAR)"
	}
	switch tag {
	case "cccd", "tax_code":
		return keepEnds(text, 3, 2)
	case "social_insurance":
		return keepEnds(text, 2, 2)
	case "phone":
		return keepEnds("regexp_replace("+text+`, '\D', '', 'g')`, 2, 2)
	case "email":
		return fmt.Sprintf(`CASE WHEN %[1]s IS NULL THEN NULL WHEN strpos(%[1]s, '@') > 1 THEN left(%[1]s, 1) || '***@' || regexp_extract(%[1]s, '@([^@]*)$', 1) ELSE '***' END`, text)
	case "name":
		return fmt.Sprintf(`nullif(upper(trim(regexp_replace(trim(%s), '(\S)\S*\s*', '\1. ', 'g'))), '')`, text)
	case "birth_date":
		switch {
		case typ == "DATE" || strings.HasPrefix(typ, "TIMESTAMP"):
			return "CAST(year(" + col + ") AS INTEGER)"
		case isInteger(typ):
			return col // already a year
		default:
			return "TRY_CAST(nullif(regexp_extract(" + text + `, '(\d{4})', 1), '') AS INTEGER)`
		}
	case "address":
		return fmt.Sprintf(`nullif(regexp_extract(%s, '(?i)((xã|phường|thị trấn|đặc khu)\s.*)$', 1), '')`, text)
	default: // health, ethnicity and any tag not known here
		if typ == "" {
			typ = "VARCHAR"
		}
		return "CAST(NULL AS " + typ + ")"
	}
}

// keepEnds keeps the first and last characters of s and stars the middle;
// a value too short to hide anything becomes stars only.
func keepEnds(s string, first, last int) string {
	return fmt.Sprintf(`CASE WHEN %[1]s IS NULL THEN NULL WHEN length(%[1]s) <= %[2]d THEN repeat('*', length(%[1]s)) ELSE left(%[1]s, %[3]d) || repeat('*', length(%[1]s) - %[2]d) || right(%[1]s, %[4]d) END`,
		s, first+last, first, last)
}

func isInteger(typ string) bool {
	switch typ {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT":
		return true
	}
	return false
}

// Type is the DuckDB type of Expr's result for a column of type typ.
func Type(tag, typ string) string {
	typ = strings.ToUpper(strings.TrimSpace(typ))
	switch tag {
	case "cccd", "phone", "email", "name", "address", "tax_code", "social_insurance":
		return "VARCHAR"
	case "birth_date":
		if isInteger(typ) {
			return typ
		}
		return "INTEGER"
	default:
		if typ == "" {
			return "VARCHAR"
		}
		return typ
	}
}
