package pgwire

import (
	"errors"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/sonla-data/kho/security/sandbox"
	"github.com/sonla-data/kho/server/engine"
)

// pgError is an error with its SQLSTATE.
type pgError struct {
	code, msg, detail, hint string
	position                int32
}

func (e *pgError) Error() string { return e.msg }

// toResponse maps an error to an ErrorResponse.
func toResponse(err error) *pgproto3.ErrorResponse {
	var (
		pe  *pgError
		ref *sandbox.Refusal
		se  *sandbox.SyntaxError
		te  *engine.TimeoutError
		ce  *engine.CanceledError
		de  *duckdb.Error
	)
	r := &pgproto3.ErrorResponse{Severity: "ERROR", SeverityUnlocalized: "ERROR", Code: "XX000", Message: err.Error()}
	switch {
	case errors.As(err, &pe):
		r.Code, r.Message, r.Detail, r.Hint, r.Position = pe.code, pe.msg, pe.detail, pe.hint, pe.position
	case errors.As(err, &ref):
		r.Code, r.Message, r.Detail = "42501", ref.Error(), "kho sandbox: "+ref.Code
	case errors.As(err, &se):
		r.Code, r.Message = "42601", se.Error()
		if se.Position >= 0 {
			r.Position = int32(se.Position) + 1
		}
	case errors.As(err, &te):
		r.Code, r.Message = "57014", "canceling statement due to statement timeout: "+te.Error()
	case errors.As(err, &ce):
		r.Code, r.Message = "57014", "canceling statement due to user request: "+ce.Error()
	case errors.As(err, &de):
		r.Code, r.Message = duckState(de), de.Msg
	}
	return r
}

// duckState picks the SQLSTATE of a DuckDB error.
func duckState(e *duckdb.Error) string {
	switch e.Type {
	case duckdb.ErrorTypeCatalog:
		return "42P01"
	case duckdb.ErrorTypeBinder:
		if strings.Contains(e.Msg, "column") {
			return "42703"
		}
		return "42883"
	case duckdb.ErrorTypeParser, duckdb.ErrorTypeSyntax:
		return "42601"
	case duckdb.ErrorTypeConversion, duckdb.ErrorTypeInvalidInput:
		return "22P02"
	case duckdb.ErrorTypeOutOfRange:
		return "22003"
	case duckdb.ErrorTypeDivideByZero:
		return "22012"
	case duckdb.ErrorTypeOutOfMemory:
		return "53200"
	case duckdb.ErrorTypePermission:
		return "42501"
	case duckdb.ErrorTypeInterrupt:
		return "57014"
	case duckdb.ErrorTypeMismatchType, duckdb.ErrorTypeInvalidType:
		return "42804"
	case duckdb.ErrorTypeParameterNotResolved, duckdb.ErrorTypeParameterNotAllowed:
		return "42P18"
	}
	return "XX000"
}
