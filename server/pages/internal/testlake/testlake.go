// Package testlake builds, for the pages' tests, a real warehouse the way
// `make demo` does: the synthetic province written by sampledata, every
// built-in pipeline run into an Iceberg lake, every mart built; plus one
// pipeline whose source is missing, so that the run history holds a failure.
package testlake

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/sonla-data/kho/configs"
	"github.com/sonla-data/kho/connectors"
	_ "github.com/sonla-data/kho/connectors/all" // the source kinds of the pipelines
	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/pipelines/orchestrate"
	"github.com/sonla-data/kho/sampledata"
	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/schemas/units"
	"github.com/sonla-data/kho/security/audit"
	"github.com/sonla-data/kho/server/engine"
	"github.com/sonla-data/kho/server/pages/site"
	sqlfs "github.com/sonla-data/kho/sql"
	"github.com/sonla-data/kho/warehouse/lake"
	"github.com/sonla-data/kho/warehouse/marts"
	"github.com/sonla-data/kho/warehouse/query"
)

// Warehouse is a built lake and what reads it.
type Warehouse struct {
	Dir  string
	Lake *lake.Lake
	// Engine builds the marts and is the tests' own view of the lake (raw,
	// unmasked): what the pages show is checked against it. The pages never
	// read through it.
	Engine *query.Engine
	// Serving is the engine the pages read through, as kho serve's API and
	// pgwire do: sandboxed, masked by role, audited in Audit.
	Serving   *engine.Engine
	Audit     *audit.Log
	History   *pipelines.History
	Schemas   *schemas.Set
	Pipelines []*pipelines.Pipeline
	Marts     []*marts.Mart
}

// FailingPipeline is the pipeline Build runs against a missing file.
const FailingPipeline = "labour_job_reports_broken_drop"

const failingYAML = `name: ` + FailingPipeline + `
description: Báo cáo lao động — thư mục thả tệp bị thiếu (để thử lỗi)
schedule: "0 3 * * *"
source:
  type: csv
  path: ${KHO_SAMPLE_DIR}/khong_co_tep_nay.csv
target:
  dataset: labour.job_reports
  mode: append
`

// Build writes the synthetic province under dir and runs everything.
func Build(ctx context.Context, dir string) (*Warehouse, error) {
	sample := filepath.Join(dir, "sample")
	if _, err := sampledata.Generate(ctx, sampledata.Options{Out: sample, Scale: 1, Seed: 7}); err != nil {
		return nil, fmt.Errorf("writing the sample province: %w", err)
	}
	w := &Warehouse{Dir: dir}
	var err error
	if w.Schemas, err = schemas.LoadEmbedded(); err != nil {
		return nil, err
	}
	env := map[string]string{"KHO_SAMPLE_DIR": sample}
	loader := pipelines.Loader{Registry: connectors.Default, BaseDir: dir, Lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	sub, _ := fs.Sub(configs.Pipelines, "pipelines")
	if w.Pipelines, err = loader.LoadFS(sub, "configs/pipelines"); err != nil {
		return nil, err
	}
	if w.Marts, err = marts.Load(sqlfs.Marts, "marts"); err != nil {
		return nil, err
	}
	if w.Lake, err = lake.Open(ctx, lake.Config{Root: filepath.Join(dir, "lake")}); err != nil {
		return nil, err
	}
	if w.History, err = pipelines.OpenHistory(ctx, filepath.Join(dir, "runs.db")); err != nil {
		w.Close()
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	runner := &pipelines.Runner{Lake: w.Lake, Schemas: w.Schemas, Units: units.MustLoad(), History: w.History, Log: log, SpoolDir: dir}
	var failed error // the first failed run
	orch := &orchestrate.Orchestrator{Runner: runner, Lake: w.Lake, Marts: w.Marts, Log: log,
		Engine: func(ctx context.Context) (*query.Engine, error) { return w.Engine, w.Engine.Refresh(ctx) },
		OnRun: func(p *pipelines.Pipeline, _ *pipelines.Result, err error) {
			if err != nil && failed == nil {
				failed = fmt.Errorf("running %s: %w", p.Name, err)
			}
		}}
	todo, err := orchestrate.Select(w.Pipelines, nil, true)
	if err != nil {
		w.Close()
		return nil, err
	}
	run, err := orch.Run(ctx, todo, orchestrate.Options{RunOptions: pipelines.RunOptions{TriggeredBy: "test"}, NoMarts: true})
	if err == nil && len(run.Failed) > 0 {
		err = failed
	}
	if err != nil {
		w.Close()
		return nil, err
	}
	broken, err := loader.Parse("testlake/"+FailingPipeline+".yaml", []byte(failingYAML))
	if err != nil {
		w.Close()
		return nil, err
	}
	if _, err := runner.Run(ctx, broken, pipelines.RunOptions{TriggeredBy: "test"}); err == nil {
		w.Close()
		return nil, errors.New("the broken pipeline ran without error")
	}
	w.Pipelines = append(w.Pipelines, broken)
	var infos []query.DatasetInfo // what kho.tables lists, for the marts that read the lake's metadata
	for _, d := range w.Schemas.All() {
		infos = append(infos, query.DatasetInfo{Name: d.Name, Label: d.Label, Owner: d.Owner, Classification: d.Classification})
	}
	if w.Engine, err = query.Open(ctx, w.Lake, query.Options{TempDir: filepath.Join(dir, "duckdb-tmp"), Datasets: infos}); err != nil {
		w.Close()
		return nil, err
	}
	if _, err := orch.BuildMarts(ctx, nil, true); err != nil {
		w.Close()
		return nil, fmt.Errorf("building the marts: %w", err)
	}
	if err := w.Engine.Refresh(ctx); err != nil {
		w.Close()
		return nil, err
	}
	if w.Audit, err = audit.Open(ctx, filepath.Join(dir, "audit.db"), log); err != nil {
		w.Close()
		return nil, err
	}
	if w.Serving, err = w.Serve(ctx, w.Audit, nil, w.Marts, engine.Options{}); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// Serve opens a serving engine over the lake, as kho serve does, serving the
// datasets of set (nil: the warehouse's schemas) and the marts ms, auditing
// to log.
func (w *Warehouse) Serve(ctx context.Context, log *audit.Log, set *schemas.Set, ms []*marts.Mart, opt engine.Options) (*engine.Engine, error) {
	if opt.TempDir == "" {
		opt.TempDir = filepath.Join(w.Dir, "serve-tmp")
	}
	if set == nil {
		set = w.Schemas
	}
	return engine.Open(ctx, engine.Deps{Lake: w.Lake, Schemas: set, Marts: ms, Audit: log}, opt)
}

// Deps are the pages' dependencies over the warehouse, reading through the
// serving engine.
func (w *Warehouse) Deps(auth site.Authenticator) *site.Deps {
	return w.DepsOn(w.Serving, auth)
}

// DepsOn are the pages' dependencies reading through e.
func (w *Warehouse) DepsOn(e *engine.Engine, auth site.Authenticator) *site.Deps {
	return &site.Deps{Query: &site.Querier{Engine: e}, History: w.History, Tables: site.LakeTables{Lake: w.Lake},
		Schemas: w.Schemas, Pipelines: w.Pipelines, Marts: w.Marts, Auth: auth}
}

// Close closes what Build opened.
func (w *Warehouse) Close() {
	if w.Serving != nil {
		w.Serving.Close()
	}
	if w.Audit != nil {
		w.Audit.Close()
	}
	if w.Engine != nil {
		w.Engine.Close()
	}
	if w.History != nil {
		w.History.Close()
	}
	if w.Lake != nil {
		w.Lake.Close()
	}
}
