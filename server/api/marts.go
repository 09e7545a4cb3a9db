package api

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/server/engine"
)

// martParams are the query parameters of GET /api/marts/{name} that are not
// column filters.
var martParams = []string{"format", "limit", "order", "bom"}

var monthRe = regexp.MustCompile(`^\d{4}-\d{2}$`)

// mart serves a mart filtered on its columns: ?agency_code=X&month=2025-03
// (a repeated parameter is a list of values), ?order=month or -month,
// ?limit=N. Values are bound as parameters, cast to the column's type.
func (a *API) mart(w http.ResponseWriter, r *http.Request) {
	p := auth.FromContext(r.Context())
	name := "marts." + r.PathValue("name")
	o, ok := a.engine.Object(p, name)
	if !ok || o.Kind != auth.Mart {
		WriteError(w, &notFound{name: name})
		return
	}
	qs := r.URL.Query()
	f, err := parseFormat(qs.Get("format"), r, JSON)
	if err != nil {
		WriteError(w, err)
		return
	}
	var where []string
	var args []any
	names := make([]string, 0, len(qs))
	for k := range qs {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if slices.Contains(martParams, k) {
			continue
		}
		col, ok := o.Column(k)
		if !ok {
			WriteError(w, unknownColumn(k, o))
			return
		}
		typ := col.TypeFor(p)
		marks := make([]string, 0, len(qs[k]))
		for _, v := range qs[k] {
			if typ == "DATE" && monthRe.MatchString(v) {
				v += "-01" // month=2025-03
			}
			marks = append(marks, "CAST(? AS "+typ+")")
			args = append(args, v)
		}
		where = append(where, engine.Ident(k)+" IN ("+strings.Join(marks, ", ")+")")
	}
	sql := "SELECT * FROM " + engine.Ident(o.Schema()) + "." + engine.Ident(o.Table())
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	order := o.Key
	if v := qs.Get("order"); v != "" {
		order = nil
		for _, part := range strings.Split(v, ",") {
			desc := strings.HasPrefix(part, "-")
			c := strings.TrimPrefix(part, "-")
			if _, ok := o.Column(c); !ok {
				WriteError(w, unknownColumn(c, o))
				return
			}
			if desc {
				c += " DESC"
			}
			order = append(order, c)
		}
	}
	if len(order) > 0 {
		quoted := make([]string, len(order))
		for i, c := range order {
			name, dir, _ := strings.Cut(c, " ")
			quoted[i] = strings.TrimSpace(engine.Ident(name) + " " + dir)
		}
		sql += " ORDER BY " + strings.Join(quoted, ", ")
	}
	if v := qs.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			WriteError(w, &badRequest{vi: "limit phải là số nguyên không âm", en: "limit must be a non-negative integer"})
			return
		}
		sql += " LIMIT " + strconv.Itoa(n)
	}
	q := engine.Query{Principal: p, SQL: sql, Args: args, Source: "http", Action: "mart", Object: o.Name, Remote: r.RemoteAddr}
	a.respond(w, r, q, f, writeOptions{BOM: qs.Get("bom") == "1"})
}

func unknownColumn(c string, o *engine.Object) error {
	cols := make([]string, len(o.Columns))
	for i, col := range o.Columns {
		cols[i] = col.Name
	}
	list := strings.Join(cols, ", ")
	return &badRequest{vi: fmt.Sprintf("%s không có cột %q; lọc theo: %s", o.Name, c, list),
		en: fmt.Sprintf("%s has no column %q; filter on: %s", o.Name, c, list)}
}
