package sandbox

import "fmt"

// Refusal is a statement the sandbox will not run. Code is stable for tests
// and metrics; VI and EN are the reasons shown to people.
type Refusal struct {
	Code string
	VI   string
	EN   string
}

func (r *Refusal) Error() string {
	return fmt.Sprintf("câu lệnh bị từ chối: %s / statement refused: %s", r.VI, r.EN)
}

// The refusal codes.
const (
	CodeNotSelect     = "not_select"
	CodeMulti         = "multiple_statements"
	CodeEmpty         = "empty"
	CodeTooLong       = "too_long"
	CodeTable         = "table_not_allowed"
	CodeUnqualified   = "unqualified_table"
	CodeCatalogName   = "catalog_qualified"
	CodeTableFunction = "table_function"
	CodeFunction      = "function_not_allowed"
	CodeTimeTravel    = "time_travel"
	CodeShow          = "describe_show"
	CodeUnknownNode   = "unsupported_syntax"
	CodeCatalogMix    = "catalog_and_data"
	CodeCTEName       = "cte_name"
)

func refuse(code, vi, en string, args ...any) *Refusal {
	return &Refusal{Code: code, VI: fmt.Sprintf(vi, args...), EN: fmt.Sprintf(en, args...)}
}

// SyntaxError is SQL DuckDB's parser could not read.
type SyntaxError struct {
	Message  string
	Position int // byte offset in the statement, -1 when unknown
}

func (e *SyntaxError) Error() string {
	return "lỗi cú pháp SQL / SQL syntax error: " + e.Message
}
