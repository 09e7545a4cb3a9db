package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/server/engine"
)

// DatasetInfo describes a table to a caller.
type DatasetInfo struct {
	Name           string       `json:"name"`
	Kind           string       `json:"kind"` // dataset | quarantine | mart
	Label          string       `json:"label"`
	LabelEN        string       `json:"label_en,omitempty"`
	Description    string       `json:"description,omitempty"`
	Classification string       `json:"classification,omitempty"`
	Owner          string       `json:"owner,omitempty"`
	Key            []string     `json:"key,omitempty"`
	Rows           int64        `json:"rows"`
	Freshness      *time.Time   `json:"freshness"` // commit time of the current snapshot
	Snapshot       int64        `json:"snapshot_id,omitempty"`
	Masked         bool         `json:"masked"` // personal-data columns are masked for this caller
	Columns        []ColumnInfo `json:"columns,omitempty"`
	Links          Links        `json:"links"`
}

// ColumnInfo describes a column to a caller.
type ColumnInfo struct {
	Name    string `json:"name"`
	Label   string `json:"label,omitempty"`
	LabelEN string `json:"label_en,omitempty"`
	Type    string `json:"type"`
	PII     string `json:"pii,omitempty"`
	Masked  bool   `json:"masked"`
}

// Links point at a table's resources.
type Links struct {
	Self     string `json:"self"`
	Download string `json:"download"`
	Mart     string `json:"mart,omitempty"`
}

func info(o *engine.Object, p auth.Principal, withColumns bool) DatasetInfo {
	d := DatasetInfo{Name: o.Name, Kind: o.Kind.String(), Label: o.Label, LabelEN: o.LabelEN, Description: o.Description,
		Classification: o.Classification, Owner: o.Owner, Key: o.Key, Rows: o.Rows, Snapshot: o.SnapshotID,
		Links: Links{Self: "/api/datasets/" + o.Name, Download: "/api/datasets/" + o.Name + "/download"}}
	if !o.Freshness.IsZero() {
		t := o.Freshness.In(hcm)
		d.Freshness = &t
	}
	if o.Kind == auth.Mart {
		d.Links.Mart = "/api/marts/" + o.Table()
	}
	for _, c := range o.Columns {
		masked := c.PII != "" && !p.PII
		d.Masked = d.Masked || masked
		if withColumns {
			d.Columns = append(d.Columns, ColumnInfo{Name: c.Name, Label: c.Label, LabelEN: c.LabelEN, Type: c.TypeFor(p), PII: c.PII, Masked: masked})
		}
	}
	return d
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func (a *API) datasets(w http.ResponseWriter, r *http.Request) {
	p := auth.FromContext(r.Context())
	out := []DatasetInfo{}
	for _, o := range a.engine.Objects(p) {
		out = append(out, info(o, p, false))
	}
	writeJSON(w, map[string]any{"datasets": out})
}

func (a *API) dataset(w http.ResponseWriter, r *http.Request) {
	p := auth.FromContext(r.Context())
	o, ok := a.engine.Object(p, r.PathValue("name"))
	if !ok {
		WriteError(w, &notFound{name: r.PathValue("name")})
		return
	}
	writeJSON(w, info(o, p, true))
}

func (a *API) download(w http.ResponseWriter, r *http.Request) {
	p := auth.FromContext(r.Context())
	o, ok := a.engine.Object(p, r.PathValue("name"))
	if !ok {
		WriteError(w, &notFound{name: r.PathValue("name")})
		return
	}
	f, err := parseFormat(r.URL.Query().Get("format"), r, CSV)
	if err != nil {
		WriteError(w, err)
		return
	}
	q := engine.Query{Principal: p, SQL: "SELECT * FROM " + engine.Ident(o.Schema()) + "." + engine.Ident(o.Table()),
		Source: "http", Action: "download", Object: o.Name, Remote: r.RemoteAddr, Unbounded: true, Timeout: a.opt.DownloadTimeout}
	ext := string(f)
	a.respond(w, r, q, f, writeOptions{BOM: r.URL.Query().Get("bom") == "1", Filename: o.Name + "." + ext})
}
