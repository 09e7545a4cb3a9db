// Package ckan serves a CKAN-compatible action API over the open-data
// portal (/api/3/action/{action}), so that CKAN harvesters and clients read
// Kho as they read a CKAN site: package_list, package_show, package_search,
// resource_show, organization_list, organization_show, group_list,
// group_show (the domains), tag_list, license_list, status_show, help_show
// and datastore_search. Parameters come from the query string (GET) or a JSON
// or form body (POST), as in CKAN; every answer has CKAN's envelope
// {"help": …, "success": …, "result" | "error": …}. Only what package
// opendata publishes is ever read.
package ckan

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/sonla-data/kho/server/pages/opendata"
)

// Version is the CKAN API version status_show reports.
const Version = "2.10.4"

// Handler serves /api/3/action/{action}.
type Handler struct {
	cat *opendata.Catalog
}

// New returns the API over a catalog.
func New(cat *opendata.Catalog) *Handler { return &Handler{cat: cat} }

// apiError is an error of CKAN's kinds.
type apiError struct {
	status int
	body   map[string]any
}

func (e *apiError) Error() string { return fmt.Sprint(e.body["message"]) }

func notFound(what string) error {
	return &apiError{http.StatusNotFound, map[string]any{"__type": "Not Found Error", "message": "Not found: " + what}}
}

func validation(field, msg string) error {
	return &apiError{http.StatusConflict, map[string]any{"__type": "Validation Error", field: []string{msg}, "message": field + ": " + msg}}
}

func badRequest(msg string) error {
	return &apiError{http.StatusBadRequest, map[string]any{"__type": "Bad request", "message": msg}}
}

type action func(r *http.Request, p params) (any, error)

func (h *Handler) actions() map[string]action {
	return map[string]action{
		"package_list":      h.packageList,
		"package_show":      h.packageShow,
		"package_search":    h.packageSearch,
		"organization_list": h.organizationList,
		"organization_show": h.organizationShow,
		"license_list":      h.licenseList,
		"status_show":       h.statusShow,
		"datastore_search":  h.datastoreSearch,
		"resource_show":     h.resourceShow,
		"group_list":        h.groupList,
		"group_show":        h.groupShow,
		"tag_list":          h.tagList,
		"help_show":         h.helpShow,
	}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/api/3/action/")
	if v := r.PathValue("action"); v != "" {
		name = v
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	help := h.base(r) + "/api/3/action/help_show?name=" + name
	act, ok := h.actions()[name]
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string]any{"help": help, "success": false,
			"error": map[string]any{"__type": "Bad request", "message": "Bad request - Action name not known: " + name}})
		return
	}
	p, err := readParams(r)
	var result any
	if err == nil {
		result, err = act(r, p)
	}
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			ae = &apiError{http.StatusInternalServerError, map[string]any{"__type": "Internal Server Error", "message": err.Error()}}
		}
		writeJSON(w, ae.status, map[string]any{"help": help, "success": false, "error": ae.body})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"help": help, "success": true, "result": result})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// params are an action's parameters: strings from a query string or form,
// any JSON value from a JSON body.
type params map[string]any

func readParams(r *http.Request) (params, error) {
	p := params{}
	for k, vs := range r.URL.Query() {
		if len(vs) > 0 {
			p[k] = vs[0]
		}
	}
	if r.Method != http.MethodPost || r.Body == nil {
		return p, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, badRequest("reading the request body: " + err.Error())
	}
	if ct == "application/x-www-form-urlencoded" || ct == "multipart/form-data" {
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		if err := r.ParseForm(); err == nil {
			for k, vs := range r.PostForm {
				p[k] = vs[0]
			}
		}
		return p, nil
	}
	if strings.TrimSpace(string(body)) == "" {
		return p, nil
	}
	var obj map[string]any
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return nil, badRequest("Bad request - JSON Error: " + err.Error())
	}
	for k, v := range obj {
		p[k] = v
	}
	return p, nil
}

// str reads a parameter as text.
func (p params) str(k string) string {
	switch v := p[k].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return ""
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// int reads a whole-number parameter within [0, max], def when absent.
func (p params) int(k string, def, max int) (int, error) {
	s := p.str(k)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, validation(k, "Invalid integer")
	}
	if n > max {
		n = max
	}
	return n, nil
}

func (p params) bool(k string) bool {
	b, _ := strconv.ParseBool(p.str(k))
	return b
}

// base is the portal's public address.
func (h *Handler) base(r *http.Request) string {
	if b := h.cat.Options().BaseURL; b != "" {
		return b
	}
	return BaseOf(r)
}

// BaseOf is the address a request was made to: scheme and host.
func BaseOf(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
