package sqltest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/warehouse/query"
)

// Rounds is the replication scenario of a database connector: a table keyed
// by an integer, a bigint, a uuid or a composite (text, date) key goes
// through rounds of random inserts, updates, hard deletes and soft deletes
// (and undeletes), each followed by a run of a merge pipeline with
// `deletes: {detect: true, soft: is_deleted}`. After every round the lake
// holds exactly the source's live rows, row for row, read by iceberg-go's
// scan and by the DuckDB view; a round that changed nothing commits nothing.
type Rounds struct {
	// Type is the pipeline's source.type; DSN its dsn.
	Type, DSN string
	// Create is the DDL of the table ban for each key kind (int, bigint,
	// uuid, composite): the key column id (or code, day), v text and
	// is_deleted boolean.
	Create map[string]string
	// UUID is the SQL literal of a uuid given as text.
	UUID func(s string) string
	// True and False are the boolean literals.
	True, False string
	// Exec runs statements on a connection other than the source's.
	Exec func(t *testing.T, sql string)
	// Query returns the rows of a query as text.
	Query func(t *testing.T, sql string) [][]string
	// Rounds is the number of rounds (10 by default).
	Rounds int
	// Source, when set, gives the pipeline's source keys after type and
	// dsn for a key kind, indented by two spaces (default: table ban,
	// batch_rows 7).
	Source func(kind string) string
	// Deletes is the pipeline's target.deletes (default:
	// {detect: true, soft: is_deleted}).
	Deletes string
	// Before, when set, is called before each round's run with the
	// pipeline's text (its dsn is ${DSN}): a crash test runs a process
	// there and kills it.
	Before func(t *testing.T, w *Warehouse, pipeline string, round int)
	// MergeKeyBound, when set, is the runner's (a few keys: every merge
	// spills its keys and runs in passes).
	MergeKeyBound int
}

var roundKinds = []string{"int", "bigint", "uuid", "composite"}

// Run runs the scenario on every key kind.
func (s Rounds) Run(t *testing.T) {
	for _, kind := range roundKinds {
		t.Run(kind, func(t *testing.T) { s.run(t, kind) })
	}
}

func (s Rounds) run(t *testing.T, kind string) {
	rounds := s.Rounds
	if rounds == 0 {
		rounds = 10
	}
	s.Exec(t, "DROP TABLE IF EXISTS ban")
	s.Exec(t, s.Create[kind])
	keyCols, keyDecl := []string{"id"}, "  - {name: id, label: Mã, type: int, required: true}\n"
	switch kind {
	case "uuid":
		keyDecl = "  - {name: id, label: Mã, type: string, required: true}\n"
	case "composite":
		keyCols = []string{"code", "day"}
		keyDecl = "  - {name: code, label: Mã, type: string, required: true}\n  - {name: day, label: Ngày, type: date, required: true}\n"
	}
	ds := "health.rounds_" + kind
	w := NewWarehouse(t, fmt.Sprintf(`dataset: %s
label: Vòng
owner: Sở Y tế
classification: restricted
key: [%s]
columns:
%s  - {name: v, label: Giá trị, type: string}
  - {name: is_deleted, label: Đã xoá, type: bool}
`, ds, strings.Join(keyCols, ", "), keyDecl))
	source, deletes := "  table: ban\n  batch_rows: 7\n", "{detect: true, soft: is_deleted}"
	if s.Source != nil {
		source = s.Source(kind)
	}
	if s.Deletes != "" {
		deletes = s.Deletes
	}
	text := fmt.Sprintf(`name: rounds_%s
source:
  type: %s
  dsn: ${DSN}
%starget:
  dataset: %s
  mode: merge
  key: [%s]
  deletes: %s
`, kind, s.Type, source, ds, strings.Join(keyCols, ", "), deletes)
	w.Runner.MergeKeyBound = s.MergeKeyBound
	p := Pipeline(t, text, map[string]string{"DSN": s.DSN})
	e, err := query.Open(t.Context(), w.Lake, query.Options{})
	require.NoError(t, err)
	defer e.Close()

	rng := rand.New(rand.NewPCG(13, uint64(len(kind))))
	next := 0
	key := func(i int) []string { // the key's SQL literals and its text
		switch kind {
		case "uuid":
			u := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
			return []string{s.UUID(u)}
		case "composite":
			day := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%40).Format("2006-01-02")
			return []string{fmt.Sprintf("'c%d'", i%7+i/40*7), "'" + day + "'"}
		}
		if kind == "bigint" {
			return []string{fmt.Sprint(int64(i) + 5_000_000_000)}
		}
		return []string{fmt.Sprint(i)}
	}
	where := func(i int) string {
		k := key(i)
		var parts []string
		for j, c := range keyCols {
			parts = append(parts, c+" = "+k[j])
		}
		return strings.Join(parts, " AND ")
	}
	live := map[int]bool{}    // keys in the source, not soft-deleted
	flagged := map[int]bool{} // keys in the source, soft-deleted
	insert := func(i int, v string) {
		s.Exec(t, fmt.Sprintf("INSERT INTO ban (%s, v, is_deleted) VALUES (%s, '%s', %s)", strings.Join(keyCols, ", "), strings.Join(key(i), ", "), v, s.False))
		live[i] = true
	}
	pick := func(set map[int]bool) (int, bool) {
		if len(set) == 0 {
			return 0, false
		}
		ks := make([]int, 0, len(set))
		for k := range set {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return ks[rng.IntN(len(ks))], true
	}
	for range 30 {
		insert(next, fmt.Sprintf("v%d", next))
		next++
	}
	for round := range rounds {
		if round > 0 {
			for range 12 {
				switch op := rng.IntN(10); {
				case op < 3:
					insert(next, fmt.Sprintf("r%d", round))
					next++
				case op < 6:
					if i, ok := pick(live); ok {
						s.Exec(t, fmt.Sprintf("UPDATE ban SET v = 'u%d-%d' WHERE %s", round, i, where(i)))
					}
				case op < 8:
					if i, ok := pick(live); ok {
						s.Exec(t, "DELETE FROM ban WHERE "+where(i))
						delete(live, i)
					}
				case op < 9:
					if i, ok := pick(live); ok {
						s.Exec(t, fmt.Sprintf("UPDATE ban SET is_deleted = %s WHERE %s", s.True, where(i)))
						delete(live, i)
						flagged[i] = true
					}
				default:
					if i, ok := pick(flagged); ok {
						s.Exec(t, fmt.Sprintf("UPDATE ban SET is_deleted = %s, v = 'back%d' WHERE %s", s.False, round, where(i)))
						delete(flagged, i)
						live[i] = true
					}
				}
			}
		}
		before := snapshotCount(t, w, ds)
		if s.Before != nil {
			s.Before(t, w, text, round)
		}
		res, err := w.Runner.Run(t.Context(), p, pipelines.RunOptions{})
		require.NoError(t, err, "round %d", round)
		want := s.sourceRows(t, keyCols)
		assert.Equal(t, want, lakeRows(t, w, ds, keyCols), "round %d: iceberg-go's scan", round)
		require.NoError(t, e.Refresh(t.Context()))
		assert.Equal(t, want, duckRows(t, e, ds, keyCols), "round %d: the DuckDB view", round)
		if round == rounds-1 {
			// nothing changed since: nothing is committed
			res, err = w.Runner.Run(t.Context(), p, pipelines.RunOptions{})
			require.NoError(t, err)
			assert.True(t, res.NothingCommitted, "a run over an unchanged source commits nothing: %+v", res.Run)
			assert.Equal(t, before+1, snapshotCount(t, w, ds))
		}
	}
}

func snapshotCount(t *testing.T, w *Warehouse, ds string) int {
	tbl, err := w.Lake.Load(t.Context(), ds)
	if err != nil {
		return 0
	}
	return len(tbl.Metadata().Snapshots())
}

// sourceRows are the source's live rows as "key|…|v", sorted.
func (s Rounds) sourceRows(t *testing.T, keyCols []string) []string {
	rows := s.Query(t, fmt.Sprintf("SELECT %s, v FROM ban WHERE is_deleted = %s", strings.Join(keyCols, ", "), s.False))
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, strings.Join(r, "|"))
	}
	sort.Strings(out)
	return out
}

func lakeRows(t *testing.T, w *Warehouse, ds string, keyCols []string) []string {
	var out []string
	for _, r := range w.Scan(t, ds) {
		var parts []string
		for _, c := range append(slices.Clone(keyCols), "v") {
			parts = append(parts, fmt.Sprint(r[c]))
		}
		out = append(out, strings.Join(parts, "|"))
	}
	sort.Strings(out)
	return out
}

func duckRows(t *testing.T, e *query.Engine, ds string, keyCols []string) []string {
	ns, name, _ := strings.Cut(ds, ".")
	rows, err := e.DB().QueryContext(t.Context(), fmt.Sprintf(`SELECT %s, v FROM "%s"."%s"`, strings.Join(keyCols, ", "), ns, name))
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals := make([]any, len(keyCols)+1)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		parts := make([]string, len(vals))
		for i, v := range vals {
			if tm, ok := v.(time.Time); ok {
				parts[i] = tm.Format("2006-01-02")
			} else {
				parts[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	require.NoError(t, rows.Err())
	sort.Strings(out)
	return out
}
