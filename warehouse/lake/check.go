package lake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/apache/iceberg-go"
	iceio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"
)

// DefaultOrphanGrace is how old an unreferenced file must be before the check
// calls it an orphan: a write in progress has files that no metadata names
// yet, and the longest write is far shorter than this.
const DefaultOrphanGrace = 72 * time.Hour

// Problem kinds found by Check.
const (
	ProblemMetadata     = "metadata"      // the table's metadata file is missing or does not parse
	ProblemManifestList = "manifest-list" // a snapshot's manifest list is missing or does not parse
	ProblemManifest     = "manifest"      // a manifest is missing, has another size, or does not parse
	ProblemDataFile     = "data-file"     // a data file is missing or has another size than recorded
)

// Problem is one thing wrong with one table.
type Problem struct {
	Table    string
	Kind     string
	Path     string
	Detail   string
	Snapshot int64 // the snapshot that needs the file (0: the metadata)
	Current  bool  // the current snapshot needs it: the table's queries fail
}

func (p Problem) String() string {
	s := fmt.Sprintf("%s: %s %s: %s", p.Table, p.Kind, p.Path, p.Detail)
	if p.Snapshot != 0 && !p.Current {
		s += fmt.Sprintf(" (only snapshot %d, not the current one, needs it)", p.Snapshot)
	}
	return s
}

// TableHealth is what Check found of one table.
type TableHealth struct {
	Table     string
	Snapshots int
	Files     int // metadata, manifest lists, manifests and data files checked
	Broken    bool
	// RollbackTo is the newest snapshot of the table's history whose files
	// are all there, when the current one's are not (0: none).
	RollbackTo int64
}

// Orphan is a file under a table's folder (or a folder no table owns) that
// no retained metadata names.
type Orphan struct {
	Path    string
	Size    int64
	ModTime time.Time
	Removed bool
}

// CheckOptions say how far Check goes.
type CheckOptions struct {
	// Grace is the age under which an unreferenced file is not an orphan
	// (DefaultOrphanGrace when zero).
	Grace time.Duration
	// RemoveOrphans deletes the orphans found.
	RemoveOrphans bool
}

// CheckResult is what Check found.
type CheckResult struct {
	Tables   []TableHealth
	Problems []Problem
	Orphans  []Orphan
}

// Check reads every table's metadata, every manifest list and manifest of
// every retained snapshot, and checks that every file they name exists with
// its recorded size. It lists the files under the lake's table folders that
// no retained metadata names and that are older than the grace period, and
// removes them when asked. It reads the catalog directly, so a table whose
// metadata does not load is reported, not fatal.
func (l *Lake) Check(ctx context.Context, opts CheckOptions) (CheckResult, error) {
	var res CheckResult
	if opts.Grace <= 0 {
		opts.Grace = DefaultOrphanGrace
	}
	rows, err := l.catalogRows(ctx)
	if err != nil {
		return res, err
	}
	referenced := map[string]bool{}
	protected := map[string]bool{} // folders of tables whose metadata cannot be read
	for _, r := range rows {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		h, probs := checkTable(r.name, r.loc, referenced)
		res.Tables = append(res.Tables, h)
		res.Problems = append(res.Problems, probs...)
		if h.Snapshots == 0 && h.Broken {
			// Nothing of this table can be told referenced: none of its
			// files is an orphan until its metadata is restored.
			protected[filepath.Dir(filepath.Dir(LocalPath(r.loc)))] = true
		}
	}
	orphans, err := l.orphans(referenced, protected, opts.Grace)
	if err != nil {
		return res, err
	}
	if opts.RemoveOrphans {
		for i := range orphans {
			if err := os.Remove(orphans[i].Path); err == nil || errors.Is(err, os.ErrNotExist) {
				orphans[i].Removed = true
			}
		}
	}
	res.Orphans = orphans
	return res, nil
}

type catalogRow struct{ name, loc string }

// catalogRows lists the catalog's tables with their metadata location.
func (l *Lake) catalogRows(ctx context.Context) ([]catalogRow, error) {
	rs, err := l.db.QueryContext(ctx, `SELECT table_namespace, table_name, metadata_location FROM iceberg_tables WHERE catalog_name = `+l.param(1)+
		` ORDER BY table_namespace, table_name`, CatalogName)
	if err != nil {
		return nil, fmt.Errorf("reading the catalog: %w", err)
	}
	defer rs.Close()
	var out []catalogRow
	for rs.Next() {
		var ns, name string
		var loc sql.NullString
		if err := rs.Scan(&ns, &name, &loc); err != nil {
			return nil, fmt.Errorf("reading the catalog: %w", err)
		}
		out = append(out, catalogRow{name: ns + "." + name, loc: loc.String})
	}
	return out, rs.Err()
}

// checkTable checks one table, adding the files its metadata names to
// referenced.
func checkTable(name, loc string, referenced map[string]bool) (TableHealth, []Problem) {
	h := TableHealth{Table: name}
	var probs []Problem
	add := func(p Problem) {
		p.Table = name
		probs = append(probs, p)
	}
	path := LocalPath(loc)
	referenced[path] = true
	b, err := os.ReadFile(path)
	if err != nil {
		add(Problem{Kind: ProblemMetadata, Path: path, Detail: errText(err), Current: true})
		h.Broken = true
		return h, probs
	}
	md, err := table.ParseMetadataBytes(b)
	if err != nil {
		add(Problem{Kind: ProblemMetadata, Path: path, Detail: fmt.Sprintf("does not parse (%d bytes): %s", len(b), short(err.Error())), Current: true})
		h.Broken = true
		return h, probs
	}
	h.Files++
	for e := range md.PreviousFiles() {
		referenced[LocalPath(e.MetadataFile)] = true
	}
	cur := int64(0)
	if s := md.CurrentSnapshot(); s != nil {
		cur = s.SnapshotID
	}
	fsys := iceio.LocalFS{}
	badSnap := map[int64]bool{}
	checked := map[string]error{} // manifest path -> its problem (nil: fine)
	for _, s := range md.Snapshots() {
		h.Snapshots++
		sid := s.SnapshotID
		mark := func(p Problem) {
			p.Snapshot, p.Current = sid, sid == cur
			badSnap[sid] = true
			add(p)
		}
		mlPath := LocalPath(s.ManifestList)
		referenced[mlPath] = true
		mans, err := s.Manifests(fsys)
		if err != nil {
			mark(Problem{Kind: ProblemManifestList, Path: mlPath, Detail: short(errText(err))})
			continue
		}
		h.Files++
		for _, m := range mans {
			mp := LocalPath(m.FilePath())
			referenced[mp] = true
			if perr, seen := checked[mp]; seen {
				if perr != nil {
					badSnap[sid] = true
					if sid == cur {
						h.Broken = true
					}
				}
				continue
			}
			perr := checkManifest(fsys, m, mp, referenced, func(p Problem) { mark(p) }, &h.Files)
			checked[mp] = perr
		}
	}
	if badSnap[cur] && cur != 0 {
		h.Broken = true
		// The newest snapshot of the current history whose files are all
		// there: the way out by rollback.
		var hist []int64
		for e := range md.SnapshotLogs() {
			hist = append(hist, e.SnapshotID)
		}
		for i := len(hist) - 1; i >= 0; i-- {
			if !badSnap[hist[i]] && md.SnapshotByID(hist[i]) != nil {
				h.RollbackTo = hist[i]
				break
			}
		}
	}
	// One problem per file: several snapshots needing the same missing
	// file report it once, for the newest (the current one first).
	probs = dedupe(probs)
	return h, probs
}

// checkManifest reads a manifest and checks its size and its files; it
// returns a non-nil error when something is wrong.
func checkManifest(fsys iceio.IO, m iceberg.ManifestFile, mp string, referenced map[string]bool, mark func(Problem), files *int) error {
	fi, err := os.Stat(mp)
	if err != nil {
		mark(Problem{Kind: ProblemManifest, Path: mp, Detail: errText(err)})
		return err
	}
	if m.Length() > 0 && fi.Size() != m.Length() {
		err := fmt.Errorf("is %d bytes, the manifest list records %d", fi.Size(), m.Length())
		mark(Problem{Kind: ProblemManifest, Path: mp, Detail: err.Error()})
		return err
	}
	ents, err := m.FetchEntries(fsys, false)
	if err != nil {
		mark(Problem{Kind: ProblemManifest, Path: mp, Detail: "does not parse: " + short(err.Error())})
		return err
	}
	*files++
	var bad error
	for _, e := range ents {
		df := e.DataFile()
		p := LocalPath(df.FilePath())
		referenced[p] = true
		if e.Status() == iceberg.EntryStatusDELETED {
			continue // removed by this snapshot: expiry may have deleted it
		}
		fi, err := os.Stat(p)
		switch {
		case err != nil:
			mark(Problem{Kind: ProblemDataFile, Path: p, Detail: errText(err)})
			bad = err
		case fi.Size() != df.FileSizeBytes():
			bad = fmt.Errorf("is %d bytes, the manifest records %d", fi.Size(), df.FileSizeBytes())
			mark(Problem{Kind: ProblemDataFile, Path: p, Detail: bad.Error()})
		default:
			*files++
		}
	}
	return bad
}

func dedupe(probs []Problem) []Problem {
	sort.SliceStable(probs, func(i, j int) bool { return probs[i].Current && !probs[j].Current })
	seen := map[string]bool{}
	out := probs[:0]
	for _, p := range probs {
		if seen[p.Path] {
			continue
		}
		seen[p.Path] = true
		out = append(out, p)
	}
	return out
}

func errText(err error) string {
	if errors.Is(err, fs.ErrNotExist) {
		return "is missing"
	}
	return short(err.Error())
}

// short bounds a message taken from a library (a parser's error may quote
// the file) to a few hundred bytes.
func short(s string) string {
	const max = 300
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

// orphans walks the lake's table folders (<root>/<ns>.db/<table>) for files
// that no retained metadata names, older than grace. Folders of tables the
// catalog does not list (dropped tables, killed creations) are orphans
// whole; the folders of tables whose metadata cannot be read are skipped.
// Kho's own files at the root (catalog, marker, locks) are not looked at.
func (l *Lake) orphans(referenced, protected map[string]bool, grace time.Duration) ([]Orphan, error) {
	cutoff := time.Now().Add(-grace)
	nss, err := filepath.Glob(filepath.Join(l.root, "*.db"))
	if err != nil {
		return nil, err
	}
	var out []Orphan
	for _, ns := range nss {
		if fi, err := os.Stat(ns); err != nil || !fi.IsDir() {
			continue
		}
		err := filepath.WalkDir(ns, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // a folder removed meanwhile
			}
			if d.IsDir() {
				if protected[p] {
					return filepath.SkipDir
				}
				return nil
			}
			if referenced[p] {
				return nil
			}
			fi, err := d.Info()
			if err != nil || fi.ModTime().After(cutoff) {
				return nil
			}
			out = append(out, Orphan{Path: p, Size: fi.Size(), ModTime: fi.ModTime()})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// TableState says whether a table's current snapshot can be read: its
// metadata parses and its manifests and data files exist with their sizes.
// It is Check for one table, without the orphans.
func (l *Lake) TableState(ctx context.Context, name string) (TableHealth, []Problem, error) {
	rows, err := l.catalogRows(ctx)
	if err != nil {
		return TableHealth{}, nil, err
	}
	for _, r := range rows {
		if r.name == name {
			h, p := checkTable(r.name, r.loc, map[string]bool{})
			return h, p, nil
		}
	}
	return TableHealth{}, nil, fmt.Errorf("no table %s in the lake", name)
}

// RevertMetadata points the catalog back at a table's previous metadata
// file when the current one is missing or does not parse and the previous
// one does: the table loses its last commit (its data and, with it, the
// pipeline's state, so the next run loads those rows again) and reads
// again. It returns the metadata file made current.
func (l *Lake) RevertMetadata(ctx context.Context, name string) (string, error) {
	id, err := Ident(name)
	if err != nil {
		return "", err
	}
	var cur, prev sql.NullString
	if err := l.db.QueryRowContext(ctx, `SELECT metadata_location, previous_metadata_location FROM iceberg_tables WHERE catalog_name = `+l.param(1)+
		` AND table_namespace = `+l.param(2)+` AND table_name = `+l.param(3), CatalogName, id[0], id[1]).Scan(&cur, &prev); err != nil {
		return "", fmt.Errorf("reading %s in the catalog: %w", name, err)
	}
	if b, err := os.ReadFile(LocalPath(cur.String)); err == nil {
		if _, err := table.ParseMetadataBytes(b); err == nil {
			return "", fmt.Errorf("the metadata of %s reads: nothing to revert", name)
		}
	}
	if prev.String == "" {
		return "", fmt.Errorf("%s has no previous metadata file: restore the lake from a backup (`kho lake restore`)", name)
	}
	b, err := os.ReadFile(LocalPath(prev.String))
	var pmd table.Metadata
	if err == nil {
		pmd, err = table.ParseMetadataBytes(b)
	}
	if err != nil {
		return "", fmt.Errorf("the previous metadata file of %s, %s, is unreadable too (%s): restore the lake from a backup (`kho lake restore`)", name, LocalPath(prev.String), short(errText(err)))
	}
	if !strings.HasPrefix(LocalPath(pmd.Location())+"/", l.root+"/") {
		// The version before a relocation names the old root's files.
		return "", fmt.Errorf("the previous metadata file of %s, %s, is from before the lake was moved (it names files under %s): restore the lake from a backup (`kho lake restore`)", name, LocalPath(prev.String), LocalPath(pmd.Location()))
	}
	unlock, err := l.Lock(ctx, name)
	if err != nil {
		return "", err
	}
	defer unlock()
	res, err := l.db.ExecContext(ctx, `UPDATE iceberg_tables SET metadata_location = `+l.param(1)+`, previous_metadata_location = NULL WHERE catalog_name = `+l.param(2)+
		` AND table_namespace = `+l.param(3)+` AND table_name = `+l.param(4)+` AND metadata_location = `+l.param(5), prev.String, CatalogName, id[0], id[1], cur.String)
	if err != nil {
		return "", fmt.Errorf("reverting %s in the catalog: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return "", fmt.Errorf("reverting %s: the catalog changed meanwhile; run the check again", name)
	}
	return LocalPath(prev.String), nil
}
