package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/sonla-data/kho/security/sandbox"
	"github.com/sonla-data/kho/server/engine"
)

// Problem is the body of an error response.
type Problem struct {
	Code      string `json:"code"`             // refused, syntax, sql, timeout, memory, not_found, bad_request, unauthorized, internal
	Reason    string `json:"reason,omitempty"` // the sandbox's refusal code
	MessageVI string `json:"message_vi"`
	MessageEN string `json:"message_en"`
}

// WriteError writes err as a JSON problem with its status.
func WriteError(w http.ResponseWriter, err error) {
	status, p := classify(err)
	WriteProblem(w, status, p)
}

// WriteProblem writes a problem with its status.
func WriteProblem(w http.ResponseWriter, status int, p Problem) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]Problem{"error": p})
}

// badRequest is a request error shown as is.
type badRequest struct{ vi, en string }

func (e *badRequest) Error() string { return e.vi + " / " + e.en }

type notFound struct{ name string }

func (e *notFound) Error() string { return "không có bảng " + e.name + " / no table " + e.name }

func classify(err error) (int, Problem) {
	var (
		ref *sandbox.Refusal
		se  *sandbox.SyntaxError
		te  *engine.TimeoutError
		ce  *engine.CanceledError
		br  *badRequest
		nf  *notFound
		de  *duckdb.Error
	)
	switch {
	case errors.As(err, &ref):
		return http.StatusForbidden, Problem{Code: "refused", Reason: ref.Code, MessageVI: "Câu lệnh bị từ chối: " + ref.VI, MessageEN: "Statement refused: " + ref.EN}
	case errors.As(err, &se):
		return http.StatusBadRequest, Problem{Code: "syntax", MessageVI: "Lỗi cú pháp SQL: " + se.Message, MessageEN: "SQL syntax error: " + se.Message}
	case errors.As(err, &te):
		return http.StatusGatewayTimeout, Problem{Code: "timeout", MessageVI: "Câu lệnh chạy quá " + te.After.String() + " và đã bị dừng", MessageEN: "The statement ran longer than " + te.After.String() + " and was stopped"}
	case errors.As(err, &ce):
		return 499, Problem{Code: "canceled", MessageVI: "Câu lệnh đã bị hủy", MessageEN: "The statement was cancelled"}
	case errors.As(err, &br):
		return http.StatusBadRequest, Problem{Code: "bad_request", MessageVI: br.vi, MessageEN: br.en}
	case errors.As(err, &nf):
		return http.StatusNotFound, Problem{Code: "not_found", MessageVI: "Không có bảng " + nf.name + " hoặc token không được đọc bảng này", MessageEN: "No table " + nf.name + ", or this token may not read it"}
	case errors.As(err, &de):
		switch de.Type {
		case duckdb.ErrorTypeOutOfMemory:
			return http.StatusServiceUnavailable, Problem{Code: "memory", MessageVI: "Câu lệnh vượt giới hạn bộ nhớ: " + de.Msg, MessageEN: "The statement exceeded the memory limit: " + de.Msg}
		case duckdb.ErrorTypePermission:
			return http.StatusForbidden, Problem{Code: "refused", MessageVI: "Không được phép: " + de.Msg, MessageEN: "Not permitted: " + de.Msg}
		case duckdb.ErrorTypeInternal, duckdb.ErrorTypeFatal, duckdb.ErrorTypeConnection, duckdb.ErrorTypeIO:
			return http.StatusInternalServerError, Problem{Code: "internal", MessageVI: "Lỗi máy chủ: " + de.Msg, MessageEN: "Server error: " + de.Msg}
		}
		return http.StatusBadRequest, Problem{Code: "sql", MessageVI: "Lỗi SQL: " + de.Msg, MessageEN: "SQL error: " + de.Msg}
	}
	return http.StatusInternalServerError, Problem{Code: "internal", MessageVI: "Lỗi máy chủ", MessageEN: "Server error: " + err.Error()}
}
