package site

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// SessionCookie holds the dashboard reader's token (HttpOnly, SameSite=Lax).
const SessionCookie = "kho_session"

// DashboardRoles may read the dashboard and the marts' pages.
var DashboardRoles = []string{"admin", "engineer", "analyst", "dashboard"}

type principalKey struct{}

// PrincipalOf returns who the request was authenticated as.
func PrincipalOf(r *http.Request) (Principal, bool) {
	p, ok := r.Context().Value(principalKey{}).(Principal)
	return p, ok
}

// WithPrincipal is r with p as its reader.
func WithPrincipal(r *http.Request, p Principal) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), principalKey{}, p))
}

// TokenOf reads a request's token: "Authorization: Bearer …", else the
// session cookie.
func TokenOf(r *http.Request) string {
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		return strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// RequireRole lets through the requests whose token has one of roles; a
// page request without one is sent to the login form, others get 401/403.
func RequireRole(auth Authenticator, roles []string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := PrincipalOf(r); ok && slices.Contains(roles, p.Role) {
			next.ServeHTTP(w, r) // authenticated by the server's own middleware
			return
		}
		tok := TokenOf(r)
		var p Principal
		err := ErrBadToken
		if tok != "" && auth != nil {
			p, err = auth.Authenticate(r.Context(), tok)
		}
		switch {
		case err == nil && slices.Contains(roles, p.Role):
			next.ServeHTTP(w, WithPrincipal(r, p))
		case retryLater(w, err):
			http.Error(w, LangOf(nil, r).T("login_limited"), http.StatusTooManyRequests)
		case err == nil:
			http.Error(w, LangOf(nil, r).T("login_no_role"), http.StatusForbidden)
		case r.Method == http.MethodGet && strings.Contains(r.Header.Get("Accept"), "text/html"):
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		default:
			w.Header().Set("WWW-Authenticate", `Bearer realm="kho"`)
			http.Error(w, "a token is needed", http.StatusUnauthorized)
		}
	})
}

// Login serves the login form (GET) and checks a token (POST), keeping it in
// the session cookie and going back to ?next=.
func Login(auth Authenticator) http.Handler {
	return loginHandler{auth: auth}
}

type loginHandler struct{ auth Authenticator }

type loginPage struct {
	*View
	Next  string
	Error string
}

var loginTmpl = Page(templates, "templates/login.html")

func (h loginHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v := NewView(w, r, time.Now())
	v.Title = v.T("login_title")
	v.Section = "dashboard"
	data := loginPage{View: v, Next: safeNext(r.FormValue("next"))}
	if r.Method == http.MethodPost {
		tok := strings.TrimSpace(r.PostFormValue("token"))
		var p Principal
		err := ErrBadToken
		if tok != "" && h.auth != nil {
			p, err = h.auth.Authenticate(r.Context(), tok)
		}
		switch {
		case retryLater(w, err):
			data.Error = v.T("login_limited")
			w.WriteHeader(http.StatusTooManyRequests)
		case err != nil && !errors.Is(err, ErrBadToken):
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		case err != nil:
			data.Error = v.T("login_failed")
			w.WriteHeader(http.StatusUnauthorized)
		case !slices.Contains(DashboardRoles, p.Role):
			data.Error = v.T("login_no_role")
			w.WriteHeader(http.StatusForbidden)
		default:
			http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: tok, Path: "/", HttpOnly: true,
				Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode, MaxAge: 12 * 3600})
			http.Redirect(w, r, data.Next, http.StatusSeeOther)
			return
		}
	}
	Render(w, loginTmpl, data)
}

// retryLater reports whether err refuses the client for a while (too many
// failed logins from its address; auth.RateLimitedError) and sets
// Retry-After.
func retryLater(w http.ResponseWriter, err error) bool {
	var rl interface {
		error
		RetryAfter() time.Duration
	}
	if !errors.As(err, &rl) {
		return false
	}
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(rl.RetryAfter().Seconds())))))
	return true
}

// Logout forgets the session cookie.
func Logout() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, MaxAge: -1, SameSite: http.SameSiteLaxMode})
		http.Redirect(w, r, "/open", http.StatusSeeOther)
	})
}

// safeNext keeps a redirect on this site: it returns next when it is a local
// path (with its query and fragment), else "/". Browsers drop tabs and
// newlines from a URL and read a backslash as a slash, so "/\t/evil.example"
// and "/\\evil.example" would leave the site: a next with a control
// character, a backslash, a scheme, a host, or "//" at its start, at any
// level of percent-decoding, is refused.
func safeNext(next string) string {
	if !localPath(next) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.EscapedPath(), "/") {
		return "/"
	}
	out := u.EscapedPath()
	if u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	if u.Fragment != "" {
		out += "#" + u.EscapedFragment()
	}
	if !localPath(out) {
		return "/"
	}
	return out
}

// localPath reports whether s, and each of its percent-decodings, is a path
// that starts with a single "/" and holds no control character and no
// backslash.
func localPath(s string) bool {
	for range 4 {
		if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
			return false
		}
		for _, r := range s {
			if r < 0x20 || r == 0x7f || r == '\\' || (r >= 0x80 && r <= 0x9f) || r == '\u2028' || r == '\u2029' || r == utf8.RuneError {
				return false
			}
		}
		d, err := url.PathUnescape(s)
		if err != nil {
			return false
		}
		if d == s {
			return true
		}
		s = d
	}
	return false // encoded more than three times: no page of ours needs that
}
