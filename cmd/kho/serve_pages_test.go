package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServePages runs kho serve over a small lake and reads the pages it
// mounts: the portal and its CKAN API without a token, the dashboard after a
// login with a token of kho token create.
func TestServePages(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two pipelines and kho serve; skipped with -short")
	}
	dir, config := workspace(t)
	kho(t, "sample-data", "--out", filepath.Join(dir, "kho-data", "sample"), "--scale", "1", "--seed", "3")
	kho(t, "--config", config, "run", "--no-marts", "reference_agencies", "health_clinics")
	secret := secretOf(t, kho(t, "token", "create", "--config", config, "--role", "dashboard", "--name", "Lãnh đạo tỉnh"))

	port := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	stop := serveInProcess(t, base, "--config", config, "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--pg-addr", "")

	body := func(r *http.Response) string {
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		return string(b)
	}
	r, err := http.Get(base + "/open")
	require.NoError(t, err)
	assert.Equal(t, 200, r.StatusCode)
	assert.Contains(t, body(r), `data-id="health-clinics"`)

	r, err = http.Get(base + "/api/3/action/package_list")
	require.NoError(t, err)
	var list struct {
		Success bool     `json:"success"`
		Result  []string `json:"result"`
	}
	require.NoError(t, json.NewDecoder(r.Body).Decode(&list))
	r.Body.Close()
	assert.True(t, list.Success)
	assert.Equal(t, []string{"health-clinics", "reference-agencies"}, list.Result)

	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodGet, base+"/", nil)
	req.Header.Set("Accept", "text/html")
	r, err = noFollow.Do(req)
	require.NoError(t, err)
	r.Body.Close()
	assert.Equal(t, http.StatusSeeOther, r.StatusCode, "the dashboard needs a login")

	r, err = noFollow.PostForm(base+"/login", url.Values{"token": {secret}, "next": {"/"}})
	require.NoError(t, err)
	r.Body.Close()
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	cookies := r.Cookies()
	require.NotEmpty(t, cookies)
	req, _ = http.NewRequest(http.MethodGet, base+"/", nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	r, err = noFollow.Do(req)
	require.NoError(t, err)
	page := body(r)
	assert.Equal(t, 200, r.StatusCode)
	assert.Contains(t, page, "Lãnh đạo tỉnh", "signed in with the token's name")
	assert.Contains(t, page, `data-pipeline="health_clinics"`, "the freshness table")
	assert.True(t, strings.Contains(page, "Chưa có số liệu"), "no dossier marts in this lake")

	r, err = http.Get(base + "/open/datasets/health-clinics")
	require.NoError(t, err)
	assert.Equal(t, 200, r.StatusCode)
	r.Body.Close()
	r, err = http.Get(base + "/open/datasets/health-clinics/download/csv")
	require.NoError(t, err)
	csvRows := strings.Count(body(r), "\n") - 1
	assert.Equal(t, 200, r.StatusCode)

	require.NoError(t, stop())

	// The pages read through the serving engine: every statement of the
	// portal and its download is in the audit log, as the anonymous
	// public's (this lake has no mart: the dashboard runs none; the pages'
	// own tests cover it).
	type entry struct {
		Kind, Source, Action, Name, Role, Object, SQL, Outcome, Remote string
		Rows                                                           int64
	}
	var entries []entry
	dec := json.NewDecoder(strings.NewReader(kho(t, "--config", config, "audit", "--format", "json")))
	for dec.More() {
		var e entry
		require.NoError(t, dec.Decode(&e))
		entries = append(entries, e)
	}
	var portal, download int
	for _, e := range entries {
		if e.Kind != "query" {
			continue
		}
		assert.Equal(t, "ok", e.Outcome, "%+v", e)
		assert.NotEmpty(t, e.Remote, "%+v", e)
		switch {
		case e.Role == "public" && e.Action == "download":
			download++
			assert.Equal(t, "health.clinics", e.Object)
			assert.EqualValues(t, csvRows, e.Rows, "the download streamed every row")
		case e.Role == "public" && e.Action == "page":
			portal++
		default:
			t.Errorf("a statement of no page: %+v", e)
		}
	}
	assert.Equal(t, 1, download, "the download is audited once")
	assert.Positive(t, portal, "the portal's statements are audited as the public's")
}
