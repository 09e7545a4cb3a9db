package site

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/sonla-data/kho/web"
)

// asset is one embedded file, with its gzip form and version hash.
type asset struct {
	body, gz []byte
	etag     string
	ctype    string
}

var (
	assetsOnce sync.Once
	assets     map[string]*asset
)

func loadAssets() {
	assets = map[string]*asset{}
	_ = fs.WalkDir(web.Static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(web.Static, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a := &asset{body: b, etag: hex.EncodeToString(sum[:6])}
		a.ctype = mime.TypeByExtension(path.Ext(p))
		if a.ctype == "" {
			a.ctype = "application/octet-stream"
		}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
		if gz.Len() < len(b) {
			a.gz = gz.Bytes()
		}
		assets[strings.TrimPrefix(p, "static/")] = a
		return nil
	})
}

// AssetURL is the versioned URL of a static file: /static/NAME?v=HASH, so
// that it can be cached for a year and still change with a new binary.
func AssetURL(name string) string {
	assetsOnce.Do(loadAssets)
	if a, ok := assets[name]; ok {
		return "/static/" + name + "?v=" + a.etag
	}
	return "/static/" + name
}

// Static serves the embedded assets under /static/: gzip when the reader
// takes it, an ETag, and a year's caching for versioned URLs.
func Static() http.Handler {
	assetsOnce.Do(loadAssets)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := assets[strings.TrimPrefix(r.URL.Path, "/static/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.ctype)
		h.Set("ETag", `"`+a.etag+`"`)
		h.Set("Vary", "Accept-Encoding")
		h.Set("X-Content-Type-Options", "nosniff")
		if r.URL.Query().Get("v") == a.etag {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "public, max-age=3600")
		}
		if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, `"`+a.etag+`"`) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		body := a.body
		if a.gz != nil && acceptsGzip(r) {
			h.Set("Content-Encoding", "gzip")
			body = a.gz
		}
		if r.Method == http.MethodHead {
			return
		}
		w.Write(body)
	})
}
