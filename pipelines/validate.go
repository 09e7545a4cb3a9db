package pipelines

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/robfig/cron/v3"

	"github.com/sonla-data/kho/internal/yamlpos"
	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/warehouse/lake"
)

var pipelineNameRe = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// CronParser parses pipeline schedules: five fields, or descriptors like
// @daily and @every 1h.
var CronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Validate fills defaults and checks a pipeline against the schemas and the
// other pipelines, returning every problem at once, each with
// file:line:column.
func Validate(p *Pipeline, set *schemas.Set, all []*Pipeline) error {
	pos := yamlpos.Parse(p.File, p.text)
	var errs []error
	bad := func(path []any, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", pos.Pos(path...), fmt.Sprintf(format, a...)))
	}
	if !pipelineNameRe.MatchString(p.Name) {
		bad([]any{"name"}, "name %q must be snake_case (a-z, 0-9, _)", p.Name)
	}
	if p.Schedule != "" {
		if _, err := CronParser.Parse(p.Schedule); err != nil {
			bad([]any{"schedule"}, "schedule %q is not a cron expression: %v", p.Schedule, err)
		}
	}
	if p.OnError == "" {
		p.OnError = OnErrorQuarantine
	}
	if p.OnError != OnErrorQuarantine && p.OnError != OnErrorFail {
		bad([]any{"on_error"}, "on_error %q must be quarantine or fail", p.OnError)
	}
	if p.SchemaDrift == "" {
		p.SchemaDrift = DriftDiscardValue
	}
	switch p.SchemaDrift {
	case DriftEvolve, DriftFreeze, DriftDiscardRow, DriftDiscardValue:
	default:
		bad([]any{"schema_drift"}, "schema_drift %q must be evolve, freeze, discard_row or discard_value", p.SchemaDrift)
	}
	if p.Retries != nil && (*p.Retries < 0 || *p.Retries > 10) {
		bad([]any{"retries"}, "retries must be 0..10")
	}
	if p.Target.Dataset == "" {
		bad([]any{"target"}, "target.dataset is required")
	}
	ds, ok := set.Get(p.Target.Dataset)
	if !ok && p.Target.Dataset != "" {
		bad([]any{"target", "dataset"}, "dataset %q has no schema (schemas/<domain>/<name>.yaml)", p.Target.Dataset)
	}
	if p.Target.Mode == "" {
		p.Target.Mode = lake.Append
	}
	switch p.Target.Mode {
	case lake.Append, lake.Overwrite, lake.Merge:
	default:
		bad([]any{"target", "mode"}, "mode %q must be append, overwrite or merge", p.Target.Mode)
	}
	for col, specs := range p.Transforms {
		for i, s := range specs {
			if _, err := parseTransform(s); err != nil {
				bad([]any{"transforms", col, i}, "%v", err)
			}
		}
	}
	if _, nerrs := p.NumberFormat.formats(); len(nerrs) > 0 {
		for _, e := range nerrs {
			bad(e.path, "%v", e.err)
		}
	}
	if ds != nil {
		if p.Target.Mode == lake.Merge && len(p.Target.Key) == 0 {
			p.Target.Key = ds.Key
		}
		if p.Target.Mode == lake.Merge && len(p.Target.Key) == 0 {
			bad([]any{"target", "key"}, "mode merge needs a key, and dataset %s declares none", ds.Name)
		}
		seen := map[string]bool{}
		for i, k := range p.Target.Key {
			if _, ok := ds.Column(k); !ok {
				bad([]any{"target", "key", i}, "key column %q is not a column of %s", k, ds.Name)
			}
			if seen[k] {
				bad([]any{"target", "key", i}, "key column %q is named twice", k)
			}
			seen[k] = true
		}
		validateDeletes(p, ds, bad)
		for src, dst := range p.Mapping {
			if _, ok := ds.Column(dst); !ok {
				bad([]any{"mapping", src}, "mapping %s: %s: %s has no column %q (columns: %s)", src, dst, ds.Name, dst, columnNames(ds))
			}
		}
		if c := p.Completeness; c != nil {
			if _, ok := ds.Column(c.Column); !ok {
				bad([]any{"completeness", "column"}, "completeness.column %q is not a column of %s", c.Column, ds.Name)
			}
			if dc, ok := ds.Column(c.DateColumn); !ok || (dc.Kind() != schemas.KindDate && dc.Kind() != schemas.KindTimestamp) {
				bad([]any{"completeness", "date_column"}, "completeness.date_column %q must be a date or timestamp column of %s", c.DateColumn, ds.Name)
			}
			if c.Period != "month" && c.Period != "quarter" && c.Period != "year" {
				bad([]any{"completeness", "period"}, "completeness.period %q must be month, quarter or year", c.Period)
			}
		}
	}
	if capturesChanges(p) {
		validateChanges(p, bad)
	}
	if p.SourceConfig != nil {
		if err := p.SourceConfig.Validate(); err != nil {
			for _, e := range splitJoined(err) {
				bad([]any{"source"}, "%v", RedactError(e, p.secrets))
			}
		}
	}
	names := map[string]bool{}
	for _, o := range all {
		names[o.Name] = true
	}
	for i, d := range p.DependsOn {
		if !names[d] {
			bad([]any{"depends_on", i}, "depends_on %q is not a pipeline", d)
		}
	}
	return errors.Join(errs...)
}

func columnNames(ds *schemas.Dataset) string {
	out := make([]string, len(ds.Columns))
	for i, c := range ds.Columns {
		out[i] = c.Name
	}
	return strings.Join(out, ", ")
}

func splitJoined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// Warnings are what a valid pipeline does that its author may not expect,
// each with file:line:column: a merge key column the dataset lets be empty
// (its rows without a value are quarantined with the rule key_required:
// rows without a key cannot be told apart).
func Warnings(p *Pipeline, set *schemas.Set) []string {
	ds, ok := set.Get(p.Target.Dataset)
	if !ok || p.Target.Mode != lake.Merge {
		return nil
	}
	pos := yamlpos.Parse(p.File, p.text)
	var out []string
	for i, k := range p.Target.Key {
		col, ok := ds.Column(k)
		if !ok || ds.IsKey(k) || (col.Required && !col.Warn("required")) {
			continue
		}
		out = append(out, fmt.Sprintf("%s: merge key column %q is not required in %s: rows without it are quarantined (rule key_required); mark it required: true in the schema",
			pos.Pos("target", "key", i), k, ds.Name))
	}
	return out
}
