package dashboard

import (
	"net/http"

	"github.com/sonla-data/kho/server/pages/site"
	"github.com/sonla-data/kho/warehouse/marts"
)

type martPage struct {
	*site.View
	Mart    *marts.Mart
	Label   string
	Info    site.TableInfo
	Columns [][3]string // name, type, label
	Preview *shownTable
	Error   string
}

// martPage shows what a figure is made of: the mart's description, key,
// lineage, tests, SQL, columns and first rows.
func (h *Handler) martPage(w http.ResponseWriter, r *http.Request) {
	m, ok := h.deps.Mart(r.PathValue("name"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	ctx := r.Context()
	v := site.NewView(w, r, h.deps.Clock())
	v.Section = "dashboard"
	p := &martPage{View: v, Mart: m, Label: v.Pick(m.Label, m.LabelEN)}
	v.Title = p.Label
	info, err := h.deps.Tables.Table(ctx, m.Table())
	if err != nil {
		p.Error = err.Error()
	}
	p.Info = info
	if info.Exists {
		t, err := readAll(ctx, h.deps.Query, 20, "SELECT * FROM marts."+quoteIdent(m.Name)+" LIMIT 20")
		if err != nil {
			p.Error = err.Error()
		} else {
			p.Preview = &shownTable{Cols: t.Cols}
			for i, c := range t.Cols {
				p.Columns = append(p.Columns, [3]string{c, t.Types[i], labelOf(v, m, c)})
			}
			for _, row := range t.Rows {
				out := make([]string, len(row))
				for j, c := range row {
					out[j] = cell(v.Lang, c, t.Cols[j])
				}
				p.Preview.Rows = append(p.Preview.Rows, texts(out...))
			}
		}
	}
	site.Render(w, martTmpl, p)
}

type martIndex struct {
	*site.View
	Marts []*marts.Mart
}

func (h *Handler) martIndex(w http.ResponseWriter, r *http.Request) {
	v := site.NewView(w, r, h.deps.Clock())
	v.Title, v.Section = v.T("all_marts"), "dashboard"
	site.Render(w, martIndexTmpl, &martIndex{View: v, Marts: h.deps.Marts})
}

// labelOf is a column's label on the mart's page: its "-- column:" label or
// a period's name; "" when the mart does not label it.
func labelOf(v *site.View, m *marts.Mart, col string) string {
	if c, ok := m.ColumnLabel(col); ok {
		return v.Pick(c.Label, c.LabelEN)
	}
	if k := "col_" + col; v.T(k) != k {
		return v.T(k)
	}
	return ""
}
