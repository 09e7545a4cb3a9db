package pages_test

import (
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/sonla-data/kho/server/pages"
	"github.com/sonla-data/kho/server/pages/internal/testlake"
	"github.com/sonla-data/kho/server/pages/site"
)

// tokens is a token store as the pages see one: hashed tokens and their
// principals (the server's own store implements the same interface).
type tokens map[[32]byte]site.Principal

func (ts tokens) Authenticate(_ context.Context, tok string) (site.Principal, error) {
	if p, ok := ts[sha256.Sum256([]byte(tok))]; ok {
		return p, nil
	}
	return site.Principal{}, site.ErrBadToken
}

const (
	leaderToken = "tk_lanh_dao_7f3a9c"
	publicToken = "tk_cong_khai_1b2d"
)

var testTokens = tokens{
	sha256.Sum256([]byte(leaderToken)): {Name: "lanh-dao-tinh", Role: "dashboard"},
	sha256.Sum256([]byte(publicToken)): {Name: "nguoi-dan", Role: "public"},
}

// env is the warehouse and the server every test of this package reads.
var env struct {
	wh  *testlake.Warehouse
	srv *httptest.Server
}

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("server/pages: the tests build a real lake from the demo pipelines; skipped with -short")
		os.Exit(0)
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "kho-pages-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	wh, err := testlake.Build(context.Background(), dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "building the test lake:", err)
		return 1
	}
	defer wh.Close()
	env.wh = wh
	env.srv = httptest.NewServer(pages.New(wh.Deps(testTokens), pages.Options{}))
	defer env.srv.Close()
	return m.Run()
}

// get fetches a path of the test server.
func get(t *testing.T, path string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, env.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := env.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}
