package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/server/engine"
)

// QueryRequest is the body of POST /api/query (application/json). Any other
// content type is the SQL itself.
type QueryRequest struct {
	SQL    string `json:"sql"`
	Format string `json:"format,omitempty"` // json (default), csv, parquet, arrow; or ?format=
	// Params are bound to $1, $2… (or ?) in order.
	Params []any `json:"params,omitempty"`
	// MaxRows lowers the server's row limit for this query (it cannot raise it).
	MaxRows int64 `json:"max_rows,omitempty"`
	// BOM starts a CSV with a UTF-8 byte order mark (Excel); or ?bom=1.
	BOM bool `json:"bom,omitempty"`
}

func (a *API) query(w http.ResponseWriter, r *http.Request) {
	req, err := a.readQuery(w, r)
	if err != nil {
		WriteError(w, err)
		return
	}
	f, err := parseFormat(firstOf(req.Format, r.URL.Query().Get("format")), r, JSON)
	if err != nil {
		WriteError(w, err)
		return
	}
	q := engine.Query{Principal: auth.FromContext(r.Context()), SQL: req.SQL, Args: req.Params, Source: "http", Action: "sql", Remote: r.RemoteAddr}
	if req.MaxRows > 0 {
		q.MaxRows = req.MaxRows
	}
	a.respond(w, r, q, f, writeOptions{BOM: req.BOM || r.URL.Query().Get("bom") == "1"})
}

func (a *API) readQuery(w http.ResponseWriter, r *http.Request) (*QueryRequest, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.opt.MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &badRequest{vi: fmt.Sprintf("câu lệnh dài quá %d byte", mbe.Limit), en: fmt.Sprintf("the request is longer than %d bytes", mbe.Limit)}
		}
		return nil, &badRequest{vi: "không đọc được yêu cầu", en: "could not read the request: " + err.Error()}
	}
	var req QueryRequest
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return nil, &badRequest{vi: "JSON không hợp lệ: " + err.Error(), en: "invalid JSON: " + err.Error()}
		}
		for i, p := range req.Params {
			req.Params[i] = jsonParam(p)
		}
	} else {
		req.SQL = string(body)
	}
	if req.SQL == "" {
		return nil, &badRequest{vi: "thiếu câu lệnh SQL (trường sql)", en: "no SQL (field sql)"}
	}
	return &req, nil
}

// jsonParam turns a JSON value into what DuckDB binds: integers as int64,
// other numbers as float64.
func jsonParam(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any, map[string]any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return v
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
