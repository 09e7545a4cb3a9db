package sqlsource

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxIdent bounds the length of an identifier in the configuration.
const maxIdent = 128

// CheckIdent accepts a table, schema or column name of the configuration:
// letters (Vietnamese too, NFC or NFD), digits, '_', '$', '-' and spaces, not
// starting with a digit or a space. Identifiers are always quoted in SQL as
// well; the check keeps typos and injection attempts out of the statement.
func CheckIdent(name string) error {
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

// SplitTable splits `schema.table` (or `table`) and checks both parts.
func SplitTable(s string) (schema, table string, err error) {
	s = strings.TrimSpace(s)
	table = s
	if i := strings.IndexByte(s, '.'); i >= 0 {
		schema, table = s[:i], s[i+1:]
		if err := CheckIdent(schema); err != nil {
			return "", "", fmt.Errorf("schema: %w", err)
		}
	}
	if err := CheckIdent(table); err != nil {
		return "", "", err
	}
	return schema, table, nil
}

// CleanQuery trims a query and its trailing semicolons, so that it can be
// wrapped as a subquery.
func CleanQuery(q string) string {
	q = strings.TrimSpace(q)
	for strings.HasSuffix(q, ";") {
		q = strings.TrimSpace(strings.TrimSuffix(q, ";"))
	}
	return q
}
