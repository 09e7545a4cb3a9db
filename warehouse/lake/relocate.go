package lake

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/twmb/avro/ocf"
)

// Relocation says that Open found the lake at a root other than the one its
// catalog records (the lake was copied, moved or restored) and rewrote every
// table's locations to the new root, in a new metadata version per table.
// The files under the old root were neither read nor written.
type Relocation struct {
	From, To string
	// Tables is the number of tables whose locations were rewritten.
	Tables int
}

// Relocated is what Open did when it found the lake moved or copied (nil
// when it did not).
func (l *Lake) Relocated() *Relocation { return l.relocated }

// locMapper maps locations under the old root to the same place under the
// new one, in each of the spellings Iceberg writers use: file:///x
// (iceberg-go, Trino) with x escaped as a URL path (iceberg-go writes a space
// as %20) or not, file:/x (Spark's Hadoop file system) and /x. A location
// keeps its spelling.
type locMapper struct {
	from, to []string
}

func newLocMapper(oldRoot, newRoot string) locMapper {
	o, n := strings.TrimSuffix(oldRoot, "/")+"/", strings.TrimSuffix(newRoot, "/")+"/"
	return locMapper{
		from: []string{fileURI(o), "file:" + strings.TrimPrefix(fileURI(o), "file://"), "file://" + o, "file:" + o, o},
		to:   []string{fileURI(n), "file:" + strings.TrimPrefix(fileURI(n), "file://"), "file://" + n, "file:" + n, n},
	}
}

// mapLoc returns loc under the new root, and whether loc was under the old
// one.
func (m locMapper) mapLoc(loc string) (string, bool) {
	for i, p := range m.from {
		if rest, ok := strings.CutPrefix(loc, p); ok {
			return m.to[i] + rest, true
		}
	}
	return loc, false
}

// under reports whether loc is under the new root already.
func (m locMapper) under(loc string) bool {
	for _, p := range m.to {
		if strings.HasPrefix(loc, p) {
			return true
		}
	}
	return false
}

// relocate rewrites the locations of every table of the catalog from
// oldRoot to l.root. It is idempotent: a table already under the new root is
// left as it is, so a relocation cut short is finished by the next Open.
func (l *Lake) relocate(ctx context.Context, rec lakeRecord) (*Relocation, error) {
	unlock, err := l.Lock(ctx, "kho.relocate")
	if err != nil {
		return nil, err
	}
	defer unlock()
	m := newLocMapper(rec.root, l.root)
	type row struct{ ns, name, loc string }
	q := `SELECT table_namespace, table_name, metadata_location FROM iceberg_tables WHERE catalog_name = ` + l.param(1)
	rs, err := l.db.QueryContext(ctx, q, CatalogName)
	if err != nil {
		return nil, fmt.Errorf("relocating the lake: reading the catalog: %w", err)
	}
	var rows []row
	for rs.Next() {
		var r row
		var loc sql.NullString
		if err := rs.Scan(&r.ns, &r.name, &loc); err != nil {
			rs.Close()
			return nil, fmt.Errorf("relocating the lake: reading the catalog: %w", err)
		}
		r.loc = loc.String
		rows = append(rows, r)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("relocating the lake: reading the catalog: %w", err)
	}
	res := &Relocation{From: rec.root, To: l.root}
	for _, r := range rows {
		if r.loc == "" || m.under(r.loc) {
			continue
		}
		mapped, ok := m.mapLoc(r.loc)
		if !ok {
			return nil, fmt.Errorf("relocating table %s.%s: its metadata %s is outside the lake's recorded root %s; Kho leaves such a table alone only when told: move it under the root first", r.ns, r.name, r.loc, rec.root)
		}
		newLoc, err := relocateTable(m, mapped)
		if err != nil {
			return nil, fmt.Errorf("relocating table %s.%s: %w", r.ns, r.name, err)
		}
		At("relocate:table-written")
		upd := `UPDATE iceberg_tables SET metadata_location = ` + l.param(1) + `, previous_metadata_location = ` + l.param(2) +
			` WHERE catalog_name = ` + l.param(3) + ` AND table_namespace = ` + l.param(4) + ` AND table_name = ` + l.param(5) +
			` AND metadata_location = ` + l.param(6)
		if _, err := l.db.ExecContext(ctx, upd, newLoc, mapped, CatalogName, r.ns, r.name, r.loc); err != nil {
			return nil, fmt.Errorf("relocating table %s.%s: updating the catalog: %w", r.ns, r.name, err)
		}
		res.Tables++
		At("relocate:table-updated")
	}
	// Namespace locations, when a writer recorded some.
	nrs, err := l.db.QueryContext(ctx, `SELECT namespace, property_value FROM iceberg_namespace_properties WHERE catalog_name = `+l.param(1)+` AND property_key = 'location'`, CatalogName)
	if err == nil {
		type nsLoc struct{ ns, loc string }
		var locs []nsLoc
		for nrs.Next() {
			var n nsLoc
			var v sql.NullString
			if nrs.Scan(&n.ns, &v) == nil {
				n.loc = v.String
				locs = append(locs, n)
			}
		}
		nrs.Close()
		for _, n := range locs {
			if nl, ok := m.mapLoc(n.loc); ok {
				if _, err := l.db.ExecContext(ctx, `UPDATE iceberg_namespace_properties SET property_value = `+l.param(1)+
					` WHERE catalog_name = `+l.param(2)+` AND namespace = `+l.param(3)+` AND property_key = 'location'`, nl, CatalogName, n.ns); err != nil {
					return nil, fmt.Errorf("relocating namespace %s: %w", n.ns, err)
				}
			}
		}
	}
	At("relocate:tables-done")
	if _, err := l.db.ExecContext(ctx, `UPDATE kho_lake SET root = `+l.param(1)+` WHERE id = `+l.param(2), l.root, rec.id); err != nil {
		return nil, fmt.Errorf("relocating the lake: recording the new root: %w", err)
	}
	return res, nil
}

// param is the n-th bind parameter in the catalog's dialect.
func (l *Lake) param(n int) string {
	if l.kind == "postgres" {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// relocateTable writes a new metadata version of the table whose current
// metadata file is at loc (already under the new root), with every location
// under the new root: new manifest lists and manifests (data files are not
// rewritten: only their recorded paths change). It returns the new metadata
// file's location.
func relocateTable(m locMapper, loc string) (string, error) {
	path := LocalPath(loc)
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading its metadata: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var md map[string]any
	if err := dec.Decode(&md); err != nil {
		return "", fmt.Errorf("reading its metadata %s: %w", path, err)
	}
	mapStrings(m, md)
	rw := &manifestRewriter{m: m, done: map[string]rewritten{}}
	if snaps, ok := md["snapshots"].([]any); ok {
		for _, s := range snaps {
			snap, ok := s.(map[string]any)
			if !ok {
				continue
			}
			ml, _ := snap["manifest-list"].(string)
			if ml == "" {
				continue
			}
			nl, err := rw.manifestList(ml)
			if err != nil {
				return "", err
			}
			snap["manifest-list"] = nl
		}
	}
	now := time.Now().UnixMilli()
	prevUpdated := md["last-updated-ms"]
	log, _ := md["metadata-log"].([]any)
	md["metadata-log"] = append(log, map[string]any{"metadata-file": loc, "timestamp-ms": prevUpdated})
	md["last-updated-ms"] = now
	out, err := json.Marshal(md)
	if err != nil {
		return "", err
	}
	dir := filepath.Dir(path)
	version := 0
	if n, _, ok := strings.Cut(filepath.Base(path), "-"); ok {
		version, _ = strconv.Atoi(n)
	}
	name := fmt.Sprintf("%05d-%s.metadata.json", version+1, uuid.NewString())
	if err := writeNew(filepath.Join(dir, name), out); err != nil {
		return "", err
	}
	return strings.TrimSuffix(loc, filepath.Base(path)) + name, nil
}

// mapStrings rewrites in place every string of a JSON value that is a
// location under the old root.
func mapStrings(m locMapper, v any) any {
	switch x := v.(type) {
	case string:
		if n, ok := m.mapLoc(x); ok {
			return n
		}
	case map[string]any:
		for k, e := range x {
			x[k] = mapStrings(m, e)
		}
	case []any:
		for i, e := range x {
			x[i] = mapStrings(m, e)
		}
	}
	return v
}

type rewritten struct {
	loc string
	len int64
}

// manifestRewriter writes relocated copies of manifest lists and manifests,
// each once.
type manifestRewriter struct {
	m    locMapper
	done map[string]rewritten
}

// manifestList writes a copy of the manifest list at loc (under the new
// root) whose manifests are relocated copies; it returns the copy's
// location.
func (rw *manifestRewriter) manifestList(loc string) (string, error) {
	if r, ok := rw.done[loc]; ok {
		return r.loc, nil
	}
	r, err := rw.rewriteAvro(loc, func(rec map[string]any) error {
		p, _ := rec["manifest_path"].(string)
		mp, ok := rw.m.mapLoc(p)
		if !ok && !rw.m.under(p) {
			return fmt.Errorf("manifest %s is outside the lake's root", p)
		}
		if !ok {
			mp = p
		}
		nm, err := rw.manifest(mp)
		if err != nil {
			return err
		}
		rec["manifest_path"] = nm.loc
		rec["manifest_length"] = nm.len
		return nil
	})
	if err != nil {
		return "", err
	}
	return r.loc, nil
}

// manifest writes a copy of the manifest at loc with its files' paths under
// the new root.
func (rw *manifestRewriter) manifest(loc string) (rewritten, error) {
	if r, ok := rw.done[loc]; ok {
		return r, nil
	}
	return rw.rewriteAvro(loc, func(rec map[string]any) error {
		df, ok := rec["data_file"].(map[string]any)
		if !ok {
			return errors.New("a manifest entry without data_file")
		}
		switch c, _ := df["content"]; fmt.Sprint(c) {
		case "<nil>", "0":
		case "1": // position deletes name data files inside their Parquet
			return relocatePositionDeletes(rw.m, df)
		default:
			return fmt.Errorf("delete file %v holds equality deletes: compact the table in the original lake (`kho lake compact`) before copying it", df["file_path"])
		}
		if p, ok := df["file_path"].(string); ok {
			if np, ok := rw.m.mapLoc(p); ok {
				df["file_path"] = np
			}
		}
		return nil
	})
}

// rewriteAvro copies the Avro container file at loc to a new file beside it,
// passing every record through edit, with the same schema text, metadata
// and codec.
func (rw *manifestRewriter) rewriteAvro(loc string, edit func(map[string]any) error) (rewritten, error) {
	path := LocalPath(loc)
	f, err := os.Open(path)
	if err != nil {
		return rewritten{}, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	rd, err := ocf.NewReader(f)
	if err != nil {
		return rewritten{}, fmt.Errorf("reading %s: %w", path, err)
	}
	defer rd.Close()
	meta := map[string][]byte{}
	for k, v := range rd.Metadata() {
		if !strings.HasPrefix(k, "avro.") {
			meta[k] = v
		}
	}
	opts := []ocf.WriterOpt{ocf.WithMetadata(meta)}
	if s, ok := rd.Metadata()["avro.schema"]; ok {
		opts = append(opts, ocf.WithSchema(string(s)))
	}
	switch c := string(rd.Metadata()["avro.codec"]); c {
	case "", "null":
	case "deflate":
		opts = append(opts, ocf.WithCodec(ocf.DeflateCodec(-1)))
	case "snappy":
		opts = append(opts, ocf.WithCodec(ocf.SnappyCodec()))
	case "zstandard", "zstd":
		opts = append(opts, ocf.WithCodec(ocf.MustZstdCodec(nil, nil)))
	default:
		return rewritten{}, fmt.Errorf("reading %s: Avro codec %q is not supported", path, c)
	}
	var buf bytes.Buffer
	wr, err := ocf.NewWriter(&buf, rd.Schema(), opts...)
	if err != nil {
		return rewritten{}, fmt.Errorf("rewriting %s: %w", path, err)
	}
	for {
		var rec map[string]any
		if err := rd.Decode(&rec); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return rewritten{}, fmt.Errorf("reading %s: %w", path, err)
		}
		if err := edit(rec); err != nil {
			return rewritten{}, fmt.Errorf("rewriting %s: %w", path, err)
		}
		if err := wr.Encode(rec); err != nil {
			return rewritten{}, fmt.Errorf("rewriting %s: %w", path, err)
		}
	}
	if err := wr.Close(); err != nil {
		return rewritten{}, fmt.Errorf("rewriting %s: %w", path, err)
	}
	base := strings.TrimSuffix(filepath.Base(path), ".avro")
	name := base + "-r" + uuid.NewString()[:8] + ".avro"
	if err := writeNew(filepath.Join(filepath.Dir(path), name), buf.Bytes()); err != nil {
		return rewritten{}, err
	}
	r := rewritten{loc: strings.TrimSuffix(loc, filepath.Base(path)) + name, len: int64(buf.Len())}
	rw.done[loc] = r
	return r, nil
}

// writeNew writes a new file (never replacing one) and syncs it.
func writeNew(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
