// Package digesttest is the connectors' test kit for connectors.RawDigester:
// a source read once with its digest on, decoded or only hashed, and a
// register of digests that must all differ.
package digesttest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sonla-data/kho/connectors"
)

// Opener opens the source under test with env.
type Opener func(env connectors.Env) (connectors.Source, error)

// Read opens a source with a checked allocator, asks for its digest and
// reads it to its end: through Next, decoding every batch (as a load
// does), or through DrainRaw (as an unchanged rerun does). It returns the
// digest and the rows DrainRaw or Next counted.
func Read(t *testing.T, open Opener, drain bool) (string, int64) {
	t.Helper()
	checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer checked.AssertSize(t, 0)
	src, err := open(connectors.Env{Alloc: checked})
	if err != nil {
		t.Fatalf("opening the source: %v", err)
	}
	defer src.Close()
	rd, ok := src.(connectors.RawDigester)
	if !ok {
		t.Fatalf("%T is not a connectors.RawDigester", src)
	}
	h := sha256.New()
	if !rd.DigestRaw(h) {
		t.Fatalf("a whole reading must digest itself")
	}
	var rows int64
	if drain {
		var seen int64 = -2
		if rows, err = rd.DrainRaw(t.Context(), func(n int64) { seen = n }); err != nil {
			t.Fatalf("DrainRaw: %v", err)
		}
		if seen != -2 && rows >= 0 && seen != rows {
			t.Errorf("the last progress said %d rows, DrainRaw %d", seen, rows)
		}
		if _, err := src.Next(t.Context()); !errors.Is(err, io.EOF) {
			t.Errorf("a drained source must be at its end, Next: %v", err)
		}
	} else {
		for {
			rec, err := src.Next(t.Context())
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			rows += rec.NumRows()
			rec.Release()
		}
	}
	return hex.EncodeToString(h.Sum(nil)), rows
}

// Distinct registers digests that must all differ, each with what it is
// the digest of.
type Distinct map[string]string

// Add registers the digest of what, failing t when it is one registered
// before: two different inputs with one digest would make a changed input
// look unchanged.
func (d Distinct) Add(t *testing.T, what, digest string) {
	t.Helper()
	if prev, dup := d[digest]; dup {
		t.Errorf("%s: the digest is the one of %s", what, prev)
	}
	d[digest] = what
}

// Files reads a file source's configuration (its paths relative to dir)
// as Read does; a drained file source counts no rows (-1).
func Files(t *testing.T, dir string, cfg connectors.Config, drain bool) string {
	t.Helper()
	d, rows := Read(t, func(env connectors.Env) (connectors.Source, error) {
		env.BaseDir = dir
		return cfg.Open(t.Context(), env)
	}, drain)
	if drain && rows != -1 {
		t.Errorf("a drained file source counts no rows: %d", rows)
	}
	return d
}
