package mask

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Tags are the PII tags with a mask other than NULL.
var Tags = []string{"cccd", "phone", "email", "name", "birth_date", "address", "health", "ethnicity", "tax_code", "social_insurance"}

// Expr is the SQL expression that masks col (an SQL expression, usually a
// quoted column) of a column tagged tag whose DuckDB type is typ. scope is
// the dataset the column belongs to: an identifier's pseudonym is keyed by
// the connection's key (KeyVariable) and the scope (see Pseudonym).
func Expr(tag, col, typ, scope string) string {
	typ = strings.ToUpper(strings.TrimSpace(typ))
	text := col
	if typ != "VARCHAR" {
		text = "CAST(" + col + " AS VARCHAR)"
	}
	switch tag {
	case "cccd", "tax_code", "social_insurance":
		return pseudonymDisplay("trim("+text+")", scope)
	case "phone":
		return pseudonymDisplay("regexp_replace("+text+`, '\D', '', 'g')`, scope)
	case "email":
		local := fmt.Sprintf(`left(%s, 8)`, Pseudonym("lower(trim("+text+"))", scope))
		return fmt.Sprintf(`CASE WHEN %[1]s IS NULL THEN NULL WHEN strpos(%[1]s, '@') > 1 THEN lower(%[2]s) || '***@' || regexp_extract(%[1]s, '@([^@]*)$', 1) ELSE '***' END`, text, local)
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

// KeyVariable is the DuckDB variable (SET VARIABLE, per connection) holding
// the pseudonym key of the token a statement runs for. The serving engine
// sets it before each statement on the masked database; user SQL can neither
// set nor read it (the sandbox refuses SET and getvariable). Unset, every
// pseudonym is NULL.
const KeyVariable = "kho_pseudonym_key"

// TokenKey is the pseudonym key of a token (its id; "" for callers without
// one): HMAC-SHA256 of the id under the warehouse's secret, in hex. It is set
// as KeyVariable and never shown.
func TokenKey(secret []byte, tokenID string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("kho pseudonym key\x00" + tokenID))
	return hex.EncodeToString(m.Sum(nil))
}

// Identifier reports whether a tag's mask is a keyed pseudonym.
func Identifier(tag string) bool {
	switch tag {
	case "cccd", "phone", "email", "tax_code", "social_insurance":
		return true
	}
	return false
}

// Pseudonym is the SQL expression of the keyed pseudonym of text (an SQL
// text expression): 12 characters 0-9A-Z (60 bits) of
// SHA-256(key | scope | text), where key is the connection's KeyVariable.
// The key is secret and differs by token, so the same value gives the same
// pseudonym in one token's answers (counts by person work) and unrelated
// ones across tokens, and nobody can compute it from a known value (a CCCD
// has only about 10^9 plausible values: an unkeyed hash would be reversed by
// trying them). The scope (the dataset) makes one token's pseudonyms of a
// person differ between datasets, so they do not join records across them.
func Pseudonym(text, scope string) string {
	return fmt.Sprintf(`upper(to_base(CAST('0x' || left(sha256(getvariable('%s') || '|' || %s || '|' || %s), 15) AS BIGINT), 36, 12))`,
		KeyVariable, quote(scope), text)
}

// pseudonymDisplay shows an identifier as today's masks did (its length,
// stars in the middle) but with the visible characters taken from its
// pseudonym, not from the value: at most 8 of them (about 41 bits, so the
// displayed form itself tells people apart), at least one star.
func pseudonymDisplay(text, scope string) string {
	p := Pseudonym(text, scope)
	visible := fmt.Sprintf("least(8, length(%s) - 1)", text)
	return fmt.Sprintf(`CASE WHEN %[1]s IS NULL THEN NULL WHEN length(%[1]s) <= 1 THEN repeat('*', length(%[1]s)) ELSE left(%[2]s, (%[3]s + 1) // 2) || repeat('*', length(%[1]s) - %[3]s) || right(%[2]s, %[3]s // 2) END`,
		text, p, visible)
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

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
