package site_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/server/pages"
	"github.com/sonla-data/kho/server/pages/site"
)

// TestLoginNextStaysLocal logs in over real HTTP with a real token store and
// checks where each ?next= sends the browser: only local paths are kept,
// everything else goes to "/" (issue 12, item 4).
func TestLoginNextStaysLocal(t *testing.T) {
	store, err := auth.Open(t.Context(), filepath.Join(t.TempDir(), "security.db"))
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	secret, _, err := store.Create(t.Context(), auth.NewToken{Name: "lãnh đạo", Role: auth.Dashboard})
	require.NoError(t, err)
	srv := httptest.NewServer(site.Login(pages.Tokens(store)))
	t.Cleanup(srv.Close)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	cases := []struct{ next, want string }{
		{"/?kpi=online", "/?kpi=online"},
		{"/marts/dossier_kpi_monthly?agency=S%E1%BB%9F+Y+t%E1%BA%BF#top", "/marts/dossier_kpi_monthly?agency=S%E1%BB%9F+Y+t%E1%BA%BF#top"},
		{"/communes/x%2Fy", "/communes/x%2Fy"},
		{"", "/"},
		{"/\t/evil.example", "/"},            // next=/%09/evil.example: browsers drop the tab
		{"/\n/evil.example", "/"},            // and newlines
		{"/\r\n/evil.example", "/"},          //
		{"/%09/evil.example", "/"},           // encoded twice
		{"/%2509/evil.example", "/"},         // three times
		{"//evil.example", "/"},              // scheme-relative
		{"///evil.example", "/"},             //
		{"/\\evil.example", "/"},             // browsers read \ as /
		{"\\\\evil.example", "/"},            //
		{"/%5Cevil.example", "/"},            //
		{"/%2F/evil.example", "/"},           // // once decoded
		{"https://evil.example/", "/"},       //
		{"javascript:alert(1)", "/"},         //
		{"/x\x00y", "/"},                     // NUL
		{"/x\u2028y", "/"},                   // a Unicode line separator
		{" //evil.example", "/"},             // leading space, dropped by browsers
		{"evil.example", "/"},                // not a path
		{"/@evil.example", "/@evil.example"}, // a local path that merely contains @
	}
	for _, tc := range cases {
		t.Run(tc.next, func(t *testing.T) {
			form := url.Values{"token": {secret}, "next": {tc.next}}
			resp, err := client.PostForm(srv.URL+"/login", form)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusSeeOther, resp.StatusCode)
			assert.Equal(t, tc.want, resp.Header.Get("Location"))
		})
	}

	// The form carries the same cleaned next.
	resp, err := client.Get(srv.URL + "/login?next=/%09/evil.example")
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Contains(t, string(b), `name="next" value="/"`)
}

// TestLoginRateLimited: the dashboard's login form counts failures per
// client address with the server's guard: after the limit it answers 429
// with Retry-After and a message, while another address signs in (item 7).
func TestLoginRateLimited(t *testing.T) {
	store, err := auth.Open(t.Context(), filepath.Join(t.TempDir(), "security.db"))
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	secret, _, err := store.Create(t.Context(), auth.NewToken{Name: "lãnh đạo", Role: auth.Dashboard})
	require.NoError(t, err)
	guard := auth.NewGuard(store, auth.Limits{Failures: 2, Window: time.Minute}, nil)
	login := site.Login(pages.Tokens(guard))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// what kho serve's middleware does for every request
		login.ServeHTTP(w, r.WithContext(auth.WithClient(r.Context(), auth.Client{Addr: r.RemoteAddr, Source: "http"})))
	}))
	t.Cleanup(srv.Close)
	from := func(local string) *http.Client {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
		return &http.Client{Transport: &http.Transport{DialContext: d.DialContext},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	post := func(c *http.Client, token string) (*http.Response, string) {
		resp, err := c.PostForm(srv.URL+"/login", url.Values{"token": {token}, "next": {"/"}})
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, string(b)
	}
	attacker := from("127.0.0.2")
	for range 2 {
		r, _ := post(attacker, "kho_wrong")
		assert.Equal(t, http.StatusUnauthorized, r.StatusCode)
	}
	r, body := post(attacker, secret)
	assert.Equal(t, http.StatusTooManyRequests, r.StatusCode)
	assert.Equal(t, "30", r.Header.Get("Retry-After"))
	assert.Contains(t, body, "Quá nhiều lần đăng nhập sai")
	r, _ = post(from("127.0.0.1"), secret)
	assert.Equal(t, http.StatusSeeOther, r.StatusCode, "another address signs in")
}
