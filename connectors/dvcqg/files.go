package dvcqg

import (
	"context"
	"fmt"
	"os"

	"github.com/sonla-data/kho/connectors"
)

// fileFeed hands out the matching files one at a time, passing over those
// loaded before unchanged (same SHA-256 as in the stored state).
type fileFeed struct {
	paths  []string
	pos    int
	env    connectors.Env
	hashes map[string]string // files read to their end or passed over
	open   map[*stream]string
}

func (f *fileFeed) next(ctx context.Context) (*stream, error) {
	for f.pos < len(f.paths) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		path := f.paths[f.pos]
		f.pos++
		hash, unchanged, err := connectors.CheckFile(path, f.env.State, f.env.Log())
		if err != nil {
			return nil, err
		}
		if unchanged {
			f.hashes[path] = hash
			continue
		}
		fh, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		st := &stream{name: path, what: path, body: fh, d: NewDecoder(fh)}
		if f.open == nil {
			f.open = map[*stream]string{}
		}
		f.open[st] = hash
		return st, nil
	}
	return nil, nil
}

func (f *fileFeed) finished(st *stream) {
	f.env.Log().Info("dvcqg: read file", "path", st.name, "elements", st.elements, "skipped_not_newer", st.skipped)
	f.hashes[st.name] = f.open[st]
	delete(f.open, st)
}

func (f *fileFeed) watermark() string        { return "" }
func (f *fileFeed) files() map[string]string { return f.hashes }
