package site

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"time"
)

//go:embed templates/*.html
var templates embed.FS

// View is what the layout needs, embedded in every page's data so that
// templates call {{.T "key"}}, {{.Pct x}} and so on.
type View struct {
	Lang      Lang
	Title     string
	Section   string // dashboard | open: which navigation entry is current
	SwitchURL string // this page in the other language
	User      *Principal
	Now       time.Time
	CSS, JS   string // the static assets' versioned URLs
	req       *http.Request
}

// NewView starts the view of a request.
func NewView(w http.ResponseWriter, r *http.Request, now time.Time) *View {
	v := &View{Lang: LangOf(w, r), Now: now, req: r, CSS: AssetURL("kho.css"), JS: AssetURL("kho.js")}
	other := EN
	if v.Lang == EN {
		other = VI
	}
	v.SwitchURL = v.With("lang", string(other))
	if p, ok := PrincipalOf(r); ok {
		v.User = &p
	}
	return v
}

// T translates a message key.
func (v *View) T(key string) string { return v.Lang.T(key) }

// Pick chooses the Vietnamese or English text.
func (v *View) Pick(vi, en string) string { return v.Lang.Pick(vi, en) }

// Pct formats a ratio as a percentage.
func (v *View) Pct(x float64) string { return v.Lang.Pct(x) }

// Int formats a count.
func (v *View) Int(n int64) string { return v.Lang.Int(n) }

// Month formats a month.
func (v *View) Month(t time.Time) string { return v.Lang.Month(t) }

// DateTime formats a time of day.
func (v *View) DateTime(t time.Time) string { return v.Lang.DateTime(t) }

// Ago says how long ago t was.
func (v *View) Ago(t time.Time) string { return v.Lang.Ago(v.Now, t) }

// Sched is a schedule as a page shows it: in words, or as written (OK
// false) when it cannot be said.
type Sched struct {
	Words, Spec string
	OK          bool
}

// Schedule says a cron schedule in words.
func (v *View) Schedule(spec string) Sched {
	w, ok := v.Lang.Schedule(spec)
	return Sched{Words: w, Spec: spec, OK: ok}
}

// With is the current URL with one query parameter set (removed when val is
// empty), as a relative URL.
func (v *View) With(key, val string) string {
	q := url.Values{}
	path := "/"
	if v.req != nil {
		q = v.req.URL.Query()
		path = v.req.URL.Path
	}
	if val == "" {
		q.Del(key)
	} else {
		q.Set(key, val)
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// Page parses the layout and one page template of fsys into a template
// whose "layout" renders the page's "content".
func Page(fsys fs.FS, file string) *template.Template {
	t := template.Must(template.New("layout.html").Funcs(Funcs).ParseFS(templates, "templates/layout.html"))
	return template.Must(t.ParseFS(fsys, file))
}

// Render executes a page's layout with data and writes it as HTML. Pages are
// private to their reader (they depend on the language and the login).
func Render(w http.ResponseWriter, t *template.Template, data any) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		http.Error(w, fmt.Sprintf("rendering the page: %v", err), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "private, no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	w.Write(buf.Bytes())
}

// Funcs are the templates' helpers: dict builds a map to pass several values
// to a sub-template.
var Funcs = template.FuncMap{
	"inc": func(i int) int { return i + 1 },
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict: odd number of arguments")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
}
