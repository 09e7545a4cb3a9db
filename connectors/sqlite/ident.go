package sqlite

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxIdent bounds the length of an identifier in the configuration.
const maxIdent = 128

// checkIdent accepts a table, schema or column name: letters (Vietnamese too,
// NFC or NFD), digits, '_', '$', '-' and spaces, not starting with a digit or a
// space. Identifiers are always quoted in SQL as well; the check keeps
// configuration typos and injection attempts out of the statement.
func checkIdent(name string) error {
	if name == "" {
		return fmt.Errorf("empty name")
	}
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxIdent {
		return fmt.Errorf("%q is not a valid name (at most %d letters)", name, maxIdent)
	}
	for i, r := range name {
		ok := unicode.IsLetter(r) || unicode.IsMark(r) || r == '_' || r == '$' ||
			(i > 0 && (unicode.IsDigit(r) || r == ' ' || r == '-'))
		if !ok {
			return fmt.Errorf("%q is not a valid name: %q not allowed there", name, r)
		}
	}
	return nil
}

// splitTable splits `schema.table` (or `table`) and checks both parts.
func splitTable(s string) (schema, table string, err error) {
	s = strings.TrimSpace(s)
	table = s
	if i := strings.IndexByte(s, '.'); i >= 0 {
		schema, table = s[:i], s[i+1:]
		if err := checkIdent(schema); err != nil {
			return "", "", fmt.Errorf("schema: %w", err)
		}
	}
	if err := checkIdent(table); err != nil {
		return "", "", err
	}
	return schema, table, nil
}

// quote quotes an identifier for SQLite.
func quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
