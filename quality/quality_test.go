package quality_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	_ "github.com/sonla-data/kho/connectors/csv"
	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/quality"
	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/schemas/units"
	"github.com/sonla-data/kho/warehouse/lake"
)

const marketsYAML = `
dataset: industry_trade.markets
label: Chợ
owner: Sở Công Thương
classification: open
key: [market_id]
columns:
  - {name: market_id, label: Mã chợ, type: string, required: true}
  - {name: market_name, label: Tên chợ, type: string, required: true, whitespace: collapse}
  - {name: commune_code, label: Xã/phường, type: admin_unit, required: true}
  - {name: agency_code, label: Cơ quan quản lý, type: string, references: reference.agencies.agency_code}
  - {name: stalls, label: Số sạp, type: int, min: 0, max: 500, severity: {max: warn}}
  - {name: contact, label: Liên hệ, type: string}
dataset_checks:
  - {type: key_unique}
  - {name: no_collapse, type: row_count_change, max_drop: 0.5}
`

const agenciesYAML = `
dataset: reference.agencies
label: Cơ quan
owner: Văn phòng UBND tỉnh
classification: open
key: [agency_code]
columns:
  - {name: agency_code, label: Mã cơ quan, type: string, required: true}
  - {name: agency_name, label: Tên cơ quan, type: string}
`

// env is a lake, the two schemas and a runner over them, with CSV drops in
// a folder.
type env struct {
	dir    string
	lake   *lake.Lake
	set    *schemas.Set
	runner *pipelines.Runner
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	l, err := lake.Open(t.Context(), lake.Config{Root: filepath.Join(dir, "lake")})
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	set := &schemas.Set{}
	for _, y := range []string{marketsYAML, agenciesYAML} {
		ds, err := schemas.Parse("test.yaml", []byte(y))
		require.NoError(t, err)
		set.Add(ds)
	}
	return &env{dir: dir, lake: l, set: set, runner: &pipelines.Runner{Lake: l, Schemas: set, Units: units.MustLoad(), SpoolDir: dir,
		Now: func() time.Time { return time.Date(2025, 10, 1, 9, 0, 0, 0, time.UTC) }}}
}

func (e *env) pipeline(t *testing.T, name, dataset, file, body string) *pipelines.Pipeline {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(e.dir, file), []byte(body), 0o644))
	text := "name: " + name + "\nsource:\n  type: csv\n  path: " + filepath.Join(e.dir, file) + "\ntarget:\n  dataset: " + dataset + "\n  mode: overwrite\n"
	p, err := pipelines.Loader{Registry: connectors.Default, BaseDir: e.dir}.Parse(name+".yaml", []byte(text))
	require.NoError(t, err)
	require.NoError(t, pipelines.Validate(p, e.set, []*pipelines.Pipeline{p}))
	return p
}

func (e *env) run(t *testing.T, p *pipelines.Pipeline) *pipelines.Result {
	t.Helper()
	res, err := e.runner.Run(t.Context(), p, pipelines.RunOptions{})
	require.NoError(t, err)
	return res
}

const agenciesCSV = "agency_code,agency_name\n000.00.04.H56,Sở Công Thương\n001.04078.H56,UBND xã Chiềng Hặc\n"

const marketsCSV = "market_id,market_name,commune_code,agency_code,stalls,contact\n" +
	"M1,Chợ  trung tâm,Xã Chiềng Hặc,000.00.04.H56,120,0912345678\n" +
	"M2,Chợ bản,Chiềng Hặc,001.04078.H56,900,0912345679\n" + // above the warn max
	"M3,Chợ Nà Ơt,Xã Không Tồn Tại,000.00.04.H56,10,0355555555\n" + // unknown commune
	"M4,,P. Tô Hiệu,000.00.04.H56,10,không có\n" + // no name
	"M5,Chợ phiên,04078,000.00.99.H56,10,0987654321\n" // unknown agency

func TestLookup(t *testing.T) {
	e := newEnv(t)
	lookup := quality.Lookup(t.Context(), e.lake)
	set, err := lookup("reference.agencies", "agency_code")
	require.NoError(t, err)
	assert.Nil(t, set, "no table yet")
	e.run(t, e.pipeline(t, "agencies", "reference.agencies", "co_quan.csv", agenciesCSV))
	lookup = quality.Lookup(t.Context(), e.lake)
	set, err = lookup("reference.agencies", "agency_code")
	require.NoError(t, err)
	assert.Equal(t, map[string]bool{"000.00.04.H56": true, "001.04078.H56": true}, set)
	_, err = lookup("reference.agencies", "nope")
	assert.ErrorContains(t, err, `no column "nope"`)
}

func TestReportOfARun(t *testing.T) {
	e := newEnv(t)
	e.run(t, e.pipeline(t, "agencies", "reference.agencies", "co_quan.csv", agenciesCSV))
	ds, _ := e.set.Get("industry_trade.markets")
	// conform the drop as a run does, with the lake's lookup
	st := conformFile(t, e, ds, marketsCSV)
	r := quality.New(ds, st)
	r.Pipeline, r.RunID = "markets", "R1"
	byKey := map[string]quality.RuleResult{}
	for _, x := range r.Rules {
		byKey[x.Key] = x
	}
	assert.EqualValues(t, 5, byKey["market_id:required"].Checked)
	assert.EqualValues(t, 1, byKey["market_name:required"].Failed)
	assert.EqualValues(t, 1, byKey["commune_code:admin_unit"].Failed)
	assert.EqualValues(t, 1, byKey["agency_code:references"].Failed)
	assert.EqualValues(t, 1, byKey["stalls:max"].Warned)
	assert.Equal(t, schemas.SeverityWarn, byKey["stalls:max"].Severity)
	assert.EqualValues(t, 3, r.Failed())
	assert.EqualValues(t, 1, r.Repaired(), "the double space of M1")
	require.Len(t, r.PII, 1)
	assert.Equal(t, "contact", r.PII[0].Column)
	line := r.Line()
	for _, want := range []string{"3 rows failed", "agency_code:references 1", "2 warnings", "1 values repaired (whitespace 1)", "contact=phone"} {
		assert.Contains(t, line, want)
	}
	var b bytes.Buffer
	require.NoError(t, r.Write(&b))
	assert.Contains(t, b.String(), "BÁO CÁO CHẤT LƯỢNG / QUALITY REPORT — industry_trade.markets (pipeline markets, run R1)")
	assert.Contains(t, b.String(), "stalls:max")

	// stored in a snapshot summary and read back
	st2, _, err := quality.Decode(quality.Encode(st, nil), st.Read, st.Written, st.Quarantined)
	require.NoError(t, err)
	assert.Equal(t, r.Rules, quality.New(ds, st2).Rules)
}

func conformFile(t *testing.T, e *env, ds *schemas.Dataset, body string) schemas.Stats {
	t.Helper()
	p := e.pipeline(t, "probe", ds.Name, "probe.csv", body)
	src, err := p.SourceConfig.Open(t.Context(), connectors.Env{BaseDir: e.dir})
	require.NoError(t, err)
	defer src.Close()
	c, err := schemas.NewConformer(ds, src.Schema(), nil, schemas.ConformOptions{Units: units.MustLoad(), Lookup: quality.Lookup(t.Context(), e.lake)})
	require.NoError(t, err)
	for {
		b, err := src.Next(t.Context())
		if err != nil {
			break
		}
		out, _, err := c.Conform(b)
		b.Release()
		require.NoError(t, err)
		if out != nil {
			out.Release()
		}
	}
	return c.Stats()
}

func TestFactsAndDatasetChecks(t *testing.T) {
	e := newEnv(t)
	ds, _ := e.set.Get("industry_trade.markets")
	ctx := t.Context()
	good := "market_id,market_name,commune_code,stalls\nM1,Chợ 1,04078,1\nM2,Chợ 2,04078,2\nM3,Chợ 3,04078,3\nM4,Chợ 4,04078,4\n"
	e.run(t, e.pipeline(t, "markets", ds.Name, "cho.csv", good))
	tbl, err := e.lake.Load(ctx, ds.Name)
	require.NoError(t, err)

	spool := spoolOf(t, e, ds, "market_id,market_name,commune_code,stalls\nM4,Chợ 4b,04078,5\nM5,Chợ 5,04078,6\n")
	f, err := quality.Facts(ctx, ds, tbl, spool, lake.Merge, []string{"market_id"}, nil)
	require.NoError(t, err)
	assert.Equal(t, schemas.TableFacts{RowsBefore: 4, RowsAfter: 5, KeysChecked: true}, f, "M4 replaced, M5 added")
	warns, err := quality.Check(ctx, ds, tbl, spool, lake.Merge, []string{"market_id"}, nil)
	assert.NoError(t, err)
	assert.Empty(t, warns)

	// a change log's versions of one key (M4 twice) leave one row: no
	// duplicate, one more row
	log := spoolWith(t, e, ds, "market_id,market_name,commune_code,stalls\nM4,Chợ 4b,04078,5\nM4,Chợ 4c,04078,6\nM5,Chợ 5,04078,6\n",
		schemas.ConformOptions{Units: units.MustLoad(), Versions: true})
	f, err = quality.Facts(ctx, ds, tbl, log, lake.Merge, []string{"market_id"}, nil)
	require.NoError(t, err)
	assert.Equal(t, schemas.TableFacts{RowsBefore: 4, RowsAfter: 5, KeysChecked: true}, f, "M4's last version replaces it, M5 added")

	// appending rows whose keys the table holds makes duplicates
	f, err = quality.Facts(ctx, ds, tbl, spool, lake.Append, nil, nil)
	require.NoError(t, err)
	assert.EqualValues(t, 6, f.RowsAfter)
	assert.EqualValues(t, 1, f.DuplicateKeys)
	assert.Equal(t, []string{"M4"}, f.Duplicates)
	_, err = quality.Check(ctx, ds, tbl, spool, lake.Append, nil, nil)
	var de *schemas.DatasetCheckError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "key_unique", de.Failures[0].Check)

	// an overwrite by one row drops 75%
	one := spoolOf(t, e, ds, "market_id,market_name,commune_code,stalls\nM9,Chợ 9,04078,1\n")
	_, err = quality.Check(ctx, ds, tbl, one, lake.Overwrite, nil, nil)
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "no_collapse", de.Failures[0].Check)
	assert.Contains(t, de.ReasonVI(), "giảm từ 4 xuống 1")
	// the spool is rewound for the commit
	assert.True(t, one.Next())
}

func spoolOf(t *testing.T, e *env, ds *schemas.Dataset, body string) *lake.Spool {
	t.Helper()
	return spoolWith(t, e, ds, body, schemas.ConformOptions{Units: units.MustLoad()})
}

// spoolWith is spoolOf with the conform options given (Versions: a change
// log's rows, several of one key).
func spoolWith(t *testing.T, e *env, ds *schemas.Dataset, body string, opts schemas.ConformOptions) *lake.Spool {
	t.Helper()
	p := e.pipeline(t, "probe", ds.Name, "probe.csv", body)
	src, err := p.SourceConfig.Open(t.Context(), connectors.Env{BaseDir: e.dir})
	require.NoError(t, err)
	defer src.Close()
	c, err := schemas.NewConformer(ds, src.Schema(), nil, opts)
	require.NoError(t, err)
	sp, err := lake.NewSpool(e.dir, c.Schema(), memory.DefaultAllocator, ds.Key)
	require.NoError(t, err)
	t.Cleanup(sp.Release)
	for {
		b, err := src.Next(t.Context())
		if err != nil {
			break
		}
		out, _, err := c.Conform(b)
		b.Release()
		require.NoError(t, err)
		require.NoError(t, sp.Write(out))
		out.Release()
	}
	require.NoError(t, sp.Finish())
	return sp
}

func TestExportAndReplay(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.run(t, e.pipeline(t, "agencies", "reference.agencies", "co_quan.csv", agenciesCSV))
	p := e.pipeline(t, "markets", "industry_trade.markets", "cho.csv", marketsCSV)
	p.Mapping = nil
	res := e.run(t, p)
	require.EqualValues(t, 3, res.Quarantined)

	q, err := quality.ReadQuarantine(ctx, e.lake, "industry_trade.markets", "")
	require.NoError(t, err)
	require.Len(t, q, 3)
	assert.Equal(t, []string{"M3", "M4", "M5"}, []string{q[0].RecordKey, q[1].RecordKey, q[2].RecordKey})
	only, err := quality.ReadQuarantine(ctx, e.lake, "industry_trade.markets", res.ID)
	require.NoError(t, err)
	assert.Len(t, only, 3)
	none, err := quality.ReadQuarantine(ctx, e.lake, "industry_trade.markets", "no-such-run")
	require.NoError(t, err)
	assert.Empty(t, none)

	var b bytes.Buffer
	require.NoError(t, quality.WriteRecords(&b, q))
	text := b.String()
	assert.True(t, strings.HasPrefix(text, "_pipeline,_source_file,_source_row,_record_key,_rule,_reason,agency_code,commune_code,contact,market_id,market_name,stalls\n"), text)
	// fix M3's commune and M4's name; M5 keeps its unknown agency
	require.Contains(t, text, ",000.00.04.H56,Xã Không Tồn Tại,")
	text = strings.Replace(text, ",000.00.04.H56,Xã Không Tồn Tại,", ",000.00.04.H56,Xã Chiềng Hặc,", 1)
	require.Contains(t, text, ",không có,M4,,")
	text = strings.Replace(text, ",không có,M4,,", ",không có,M4,Chợ Tô Hiệu,", 1)

	rp := &quality.Replayer{Lake: e.lake, Units: units.MustLoad(), SpoolDir: e.dir, RunID: "replay-1",
		Pipelines: map[string]quality.ReplayPipeline{"markets": {}}}
	ds, _ := e.set.Get("industry_trade.markets")
	rr, err := rp.Replay(ctx, ds, "fixed.csv", strings.NewReader(text))
	require.NoError(t, err)
	assert.EqualValues(t, 3, rr.Rows)
	assert.EqualValues(t, 2, rr.Written)
	require.Len(t, rr.StillBad, 1)
	assert.Equal(t, "references", rr.StillBad[0].Rule)

	tbl, err := e.lake.Load(ctx, ds.Name)
	require.NoError(t, err)
	assert.EqualValues(t, 4, lake.RowCount(tbl), "M1, M2 and the fixed M3, M4")
	set, err := quality.Lookup(ctx, e.lake)(ds.Name, "market_id")
	require.NoError(t, err)
	assert.Equal(t, map[string]bool{"M1": true, "M2": true, "M3": true, "M4": true}, set)
	q, err = quality.ReadQuarantine(ctx, e.lake, ds.Name, "")
	require.NoError(t, err)
	require.Len(t, q, 1)
	assert.Equal(t, "M5", q[0].RecordKey)
	assert.Equal(t, "replay-1", q[0].RunID)

	// replaying the same file again changes nothing in the dataset
	_, err = rp.Replay(ctx, ds, "fixed.csv", strings.NewReader(text))
	require.NoError(t, err)
	tbl, err = e.lake.Load(ctx, ds.Name)
	require.NoError(t, err)
	assert.EqualValues(t, 4, lake.RowCount(tbl))

	// a record of a pipeline that does not write the dataset is refused
	_, err = (&quality.Replayer{Lake: e.lake, Units: units.MustLoad(), Pipelines: map[string]quality.ReplayPipeline{}}).Replay(ctx, ds, "fixed.csv", strings.NewReader(text))
	assert.ErrorContains(t, err, `no pipeline "markets"`)
}
