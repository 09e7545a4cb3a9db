package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/mattn/go-isatty"

	"github.com/sonla-data/kho/configs"
	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/pipelines/orchestrate"
	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/schemas/units"
	"github.com/sonla-data/kho/warehouse/lake"
	"github.com/sonla-data/kho/warehouse/marts"
	"github.com/sonla-data/kho/warehouse/query"
)

// app is the wired warehouse of one command.
type app struct {
	cfg       *Config
	log       *slog.Logger
	schemas   *schemas.Set
	pipelines []*pipelines.Pipeline
	marts     []*marts.Mart
	lake      *lake.Lake
	history   *pipelines.History
	engine    *query.Engine
	orch      *orchestrate.Orchestrator // see orchestrator
	broken    brokenPipelines           // pipeline files that did not load
}

func newLogger(cfg *Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: logTimeInHCM}
	format := cfg.Log.Format
	if format == "auto" || format == "" {
		format = "json"
		if isatty.IsTerminal(os.Stderr.Fd()) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, opts))
}

// logTimeInHCM writes every time of a log line (its own, and any attribute
// holding one) in Vietnam's zone with its offset (2025-12-04T09:15:00+07:00,
// RFC 3339), whatever the machine's zone: the operators read them beside
// the times every command prints.
func logTimeInHCM(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindTime {
		return slog.Time(a.Key, a.Value.Time().In(hcmZone))
	}
	return a
}

// loadDefinitions reads schemas, pipelines and marts, validating them all.
// Every problem is returned at once.
func loadDefinitions(cfg *Config) (*schemas.Set, []*pipelines.Pipeline, []*marts.Mart, error) {
	set, ps, ms, perrs, errs := loadDefs(cfg)
	errs = append(errs, perrs...)
	if len(errs) > 0 {
		return set, ps, ms, usageError{errors.Join(errs...)}
	}
	return set, ps, ms, nil
}

// loadDefinitionsLenient is loadDefinitions for the commands that work on
// the lake: a pipeline file that does not load (bad YAML, an unset
// variable or secret, an invalid key) is left out with a warning naming it,
// and everything else goes on; schemas and marts must load. kho validate
// stays strict.
func loadDefinitionsLenient(cfg *Config, log *slog.Logger) (*schemas.Set, []*pipelines.Pipeline, []*marts.Mart, brokenPipelines, error) {
	set, ps, ms, perrs, errs := loadDefs(cfg)
	var bp brokenPipelines
	if len(errs) > 0 {
		return set, ps, ms, bp, usageError{errors.Join(append(errs, perrs...)...)}
	}
	if cfg.pipelinesProblem != nil {
		log.Warn("no pipeline is loaded; the commands on the lake go on", "problem", cfg.pipelinesProblem.Error())
		return set, nil, ms, bp, nil
	}
	broken := map[string]string{}
	for _, e := range perrs {
		var fe *pipelines.FileError
		if !errors.As(e, &fe) {
			return set, ps, ms, bp, usageError{errors.Join(perrs...)}
		}
		if _, seen := broken[fe.File]; !seen {
			first, _, _ := strings.Cut(fe.Error(), "\n")
			broken[fe.File] = first
		}
	}
	if len(broken) == 0 {
		return set, ps, ms, bp, nil
	}
	bp = brokenPipelines{files: broken, names: map[string]string{}}
	for f := range broken {
		// The name the broken file declares, read from its text.
		b, err := os.ReadFile(f)
		if err != nil && !filepath.IsAbs(f) {
			b, err = os.ReadFile(filepath.Join(cfg.BaseDir, f))
		}
		if err == nil {
			if m := declaredName.FindSubmatch(b); m != nil {
				bp.names[string(m[1])] = f
			}
		}
	}
	kept := ps[:0:0]
	for _, p := range ps {
		if _, bad := broken[p.File]; !bad {
			kept = append(kept, p)
		} else if p.Name != "" {
			bp.names[p.Name] = p.File
		}
	}
	files := make([]string, 0, len(broken))
	for f := range broken {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		log.Warn("a pipeline file does not load and is left out; the other pipelines and commands go on (`kho validate` shows every problem)",
			"file", f, "problem", broken[f])
	}
	return set, kept, ms, bp, nil
}

// declaredName finds a pipeline file's top-level name: in its raw text.
var declaredName = regexp.MustCompile(`(?m)^name:[ \t]*["']?([A-Za-z0-9_.-]+)`)

// brokenPipelines are the pipeline files that did not load, with their
// first problem, and the names of the pipelines they hold (as far as they
// could be read).
type brokenPipelines struct {
	files map[string]string // file -> its first problem
	names map[string]string // pipeline name -> file
}

// explain is the error for a pipeline asked for by name that is not
// loaded: the pipelines' folder is missing, or its file is broken (found by
// the name it declares, or by the file's name), naming the file and the
// problem (file:line:column when known); nil when no broken file holds it.
func (a *app) explain(name string) error {
	if a.cfg.pipelinesProblem != nil {
		return a.cfg.pipelinesProblem
	}
	return a.broken.explain(name)
}

func (b brokenPipelines) explain(name string) error {
	file, ok := b.names[name]
	if !ok {
		for f := range b.files {
			base := filepath.Base(f)
			if strings.TrimSuffix(strings.TrimSuffix(base, ".yaml"), ".yml") == name {
				file, ok = f, true
				break
			}
		}
	}
	if !ok {
		return nil
	}
	return fmt.Errorf("pipeline %q is left out: its file %s does not load: %s (fix the file; `kho validate` lists every problem)", name, file, b.files[file])
}

// loadDefs reads schemas, pipelines and marts; the pipelines' problems,
// each a *pipelines.FileError, apart from the rest.
func loadDefs(cfg *Config) (*schemas.Set, []*pipelines.Pipeline, []*marts.Mart, []error, []error) {
	var errs, perrs []error
	set, schemaNotes, err := loadSchemaSet(cfg.SchemasDir)
	if err != nil {
		errs = append(errs, err)
	}
	loader := pipelines.Loader{Registry: connectors.Default, BaseDir: cfg.BaseDir}
	var ps []*pipelines.Pipeline
	if cfg.pipelinesProblem != nil {
		err = cfg.pipelinesProblem
	} else if cfg.PipelinesDir != "" {
		ps, err = loader.LoadDir(cfg.PipelinesDir)
	} else {
		sub, _ := fs.Sub(configs.Pipelines, "pipelines")
		ps, err = loader.LoadFS(sub, "configs/pipelines")
	}
	if err != nil {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			perrs = append(perrs, j.Unwrap()...)
		} else {
			perrs = append(perrs, err)
		}
	}
	if set != nil {
		for _, p := range ps {
			if err := pipelines.Validate(p, set, ps); err != nil {
				perrs = append(perrs, &pipelines.FileError{File: p.File, Err: err})
			}
		}
	}
	ms, martNotes, err := loadMartSet(cfg.MartsDir)
	if err != nil {
		errs = append(errs, err)
	}
	cfg.overrides = append(schemaNotes, martNotes...)
	return set, ps, ms, perrs, errs
}

// openApp loads definitions and opens the lake and the history; withEngine
// also starts DuckDB over the lake.
func openApp(ctx context.Context, cfg *Config, withEngine bool) (*app, error) {
	a := &app{cfg: cfg, log: newLogger(cfg)}
	var err error
	a.schemas, a.pipelines, a.marts, a.broken, err = loadDefinitionsLenient(cfg, a.log)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", cfg.DataDir, err)
	}
	a.lake, err = lake.Open(ctx, cfg.Lake)
	if err != nil {
		return nil, err
	}
	if r := a.lake.Relocated(); r != nil {
		a.log.Warn("the lake was copied or moved: its tables now point at their files under the new root (a new metadata version each); the old root was not touched",
			"from", r.From, "to", r.To, "tables", r.Tables)
	}
	a.history, err = pipelines.OpenHistory(ctx, filepath.Join(cfg.DataDir, "runs.db"))
	if err != nil {
		a.close()
		return nil, err
	}
	if withEngine {
		if err := a.startEngine(ctx); err != nil {
			a.close()
			return nil, err
		}
	}
	return a, nil
}

func (a *app) startEngine(ctx context.Context) error {
	if a.engine != nil {
		return a.engine.Refresh(ctx)
	}
	e, err := query.Open(ctx, a.lake, a.engineOptions(query.AsOf{}))
	if err != nil {
		return err
	}
	a.engine = e
	return nil
}

func (a *app) runner() *pipelines.Runner {
	return &pipelines.Runner{Lake: a.lake, Schemas: a.schemas, Units: units.MustLoad(), History: a.history,
		Log: a.log, SpoolDir: a.cfg.DataDir}
}

func (a *app) close() {
	if a.engine != nil {
		a.engine.Close()
	}
	if a.history != nil {
		a.history.Close()
	}
	if a.lake != nil {
		a.lake.Close()
	}
}

func (a *app) pipeline(name string) (*pipelines.Pipeline, bool) {
	for _, p := range a.pipelines {
		if p.Name == name {
			return p, true
		}
	}
	return nil, false
}
