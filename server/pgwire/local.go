package pgwire

import (
	"regexp"
	"strings"
	"unicode"
)

// splitStatements cuts a simple-protocol query into statements at the
// semicolons outside quotes, dollar quotes and comments. Statements that are
// only comments and spaces are dropped.
func splitStatements(q string) []string {
	var out []string
	start := 0
	add := func(end int) {
		if s := strings.TrimSpace(q[start:end]); s != "" && !onlyComments(s) {
			out = append(out, s)
		}
	}
	for i := 0; i < len(q); {
		switch c := q[i]; {
		case c == '\'' || c == '"':
			i = skipQuoted(q, i, c)
		case c == '-' && strings.HasPrefix(q[i:], "--"):
			if j := strings.IndexByte(q[i:], '\n'); j >= 0 {
				i += j + 1
			} else {
				i = len(q)
			}
		case c == '/' && strings.HasPrefix(q[i:], "/*"):
			i = skipBlockComment(q, i)
		case c == '$':
			i = skipDollar(q, i)
		case c == ';':
			add(i)
			i++
			start = i
		default:
			i++
		}
	}
	add(len(q))
	return out
}

func skipQuoted(q string, i int, quote byte) int {
	for j := i + 1; j < len(q); j++ {
		if q[j] == quote {
			if j+1 < len(q) && q[j+1] == quote {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(q)
}

func skipBlockComment(q string, i int) int {
	depth := 0
	for j := i; j < len(q)-1; j++ {
		switch {
		case q[j] == '/' && q[j+1] == '*':
			depth++
			j++
		case q[j] == '*' && q[j+1] == '/':
			depth--
			j++
			if depth == 0 {
				return j + 1
			}
		}
	}
	return len(q)
}

// skipDollar skips a $tag$…$tag$ string; a $ that starts none ($1) is one byte.
func skipDollar(q string, i int) int {
	j := i + 1
	for j < len(q) && (q[j] == '_' || unicode.IsLetter(rune(q[j])) || (j > i+1 && unicode.IsDigit(rune(q[j])))) {
		j++
	}
	if j >= len(q) || q[j] != '$' {
		return i + 1
	}
	tag := q[i : j+1]
	if k := strings.Index(q[j+1:], tag); k >= 0 {
		return j + 1 + k + len(tag)
	}
	return len(q)
}

func onlyComments(s string) bool {
	return stripLeading(s) == ""
}

// stripLeading drops leading spaces and comments.
func stripLeading(s string) string {
	for {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		switch {
		case strings.HasPrefix(s, "--"):
			if j := strings.IndexByte(s, '\n'); j >= 0 {
				s = s[j+1:]
			} else {
				return ""
			}
		case strings.HasPrefix(s, "/*"):
			s = s[skipBlockComment(s, 0):]
		default:
			return s
		}
	}
}

// firstWords returns the first two words of a statement, upper-cased.
func firstWords(s string) (string, string) {
	f := strings.FieldsFunc(stripLeading(s), func(r rune) bool {
		return unicode.IsSpace(r) || r == ';' || r == '(' || r == '='
	})
	var a, b string
	if len(f) > 0 {
		a = strings.ToUpper(f[0])
	}
	if len(f) > 1 {
		b = strings.ToUpper(f[1])
	}
	return a, b
}

// sessionParams are the PostgreSQL parameters clients SET on connecting and
// around their queries: the session keeps them and DuckDB never sees them.
// SET of any other name goes to the engine, whose sandbox refuses it (and
// audits it): DuckDB's settings are not the client's to change.
var sessionParams = map[string]bool{
	"application_name": true, "client_encoding": true, "datestyle": true, "timezone": true, "extra_float_digits": true,
	"search_path": true, "statement_timeout": true, "lock_timeout": true, "idle_in_transaction_session_timeout": true,
	"intervalstyle": true, "standard_conforming_strings": true, "client_min_messages": true, "bytea_output": true,
	"jit": true, "lc_messages": true, "lc_monetary": true, "lc_numeric": true, "lc_time": true, "names": true,
	"default_transaction_isolation": true, "default_transaction_read_only": true, "transaction": true, "session": true,
	"row_security": true, "synchronous_commit": true, "work_mem": true, "geqo": true, "array_nulls": true,
	"escape_string_warning": true, "xmloption": true, "xmlbinary": true, "max_parallel_workers_per_gather": true,
	"transaction_isolation": true, "transaction_read_only": true, "role": true, "session_authorization": true,
}

// settingQuery is pgjdbc's read of one setting (getImportedKeys reads
// max_index_keys, getDefaultTransactionIsolation default_transaction_isolation):
// answered by the session as SHOW is. pg_settings itself stays refused: it
// would show DuckDB's settings.
var settingQuery = regexp.MustCompile(`(?is)^\s*SELECT\s+setting\s+FROM\s+(?:pg_catalog\s*\.\s*)?pg_settings\s+WHERE\s+name\s*=\s*'([a-z_]+)'\s*;?\s*$`)

// localKind tells statements answered by the session itself: what clients
// send on connecting and around their queries. "" is a statement for the
// engine.
func localKind(s string) string {
	if settingQuery.MatchString(s) {
		return "SETTING"
	}
	a, b := firstWords(s)
	switch a {
	case "SET":
		if name, _, ok := parseSet(s); ok && sessionParams[name] {
			return a
		}
		if b == "TRANSACTION" || b == "NAMES" || b == "SESSION" && strings.Contains(strings.ToUpper(s), "CHARACTERISTICS") {
			return a
		}
		return ""
	case "RESET":
		if b == "ALL" || sessionParams[strings.ToLower(b)] {
			return a
		}
		return ""
	case "SHOW", "BEGIN", "COMMIT", "END", "ROLLBACK", "ABORT", "DISCARD", "DEALLOCATE", "SAVEPOINT", "RELEASE":
		return a
	case "START":
		if b == "TRANSACTION" {
			return "BEGIN"
		}
	case "CLOSE":
		return "CLOSE"
	}
	return ""
}

// parseSet reads "SET [SESSION|LOCAL] name {=|TO} value" (value unquoted).
func parseSet(s string) (name, value string, ok bool) {
	rest := strings.TrimSpace(stripLeading(s))
	rest = strings.TrimSpace(rest[3:])
	for _, kw := range []string{"SESSION ", "LOCAL "} {
		if len(rest) >= len(kw) && strings.EqualFold(rest[:len(kw)], kw) {
			rest = strings.TrimSpace(rest[len(kw):])
		}
	}
	if len(rest) > 10 && strings.EqualFold(rest[:10], "TIME ZONE ") {
		return "timezone", unquote(strings.TrimSpace(rest[10:])), true
	}
	i := strings.IndexFunc(rest, func(r rune) bool { return unicode.IsSpace(r) || r == '=' })
	if i < 0 {
		return "", "", false
	}
	name = strings.ToLower(strings.Trim(rest[:i], `"`))
	rest = strings.TrimSpace(rest[i:])
	switch {
	case strings.HasPrefix(rest, "="):
		rest = rest[1:]
	case len(rest) >= 3 && strings.EqualFold(rest[:3], "TO "):
		rest = rest[3:]
	default:
		return "", "", false
	}
	return name, unquote(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), ";"))), true
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '\'' && v[len(v)-1] == '\'') {
		return strings.ReplaceAll(v[1:len(v)-1], "''", "'")
	}
	return v
}

// showName reads the parameter of "SHOW name".
func showName(s string) string {
	_, b := firstWords(s)
	if b == "TRANSACTION" {
		return "transaction_isolation"
	}
	return strings.ToLower(strings.Trim(b, `"`))
}
