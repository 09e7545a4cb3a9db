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

// CronParser parses pipeline schedules: five fields, or descriptors like @daily.
var CronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Validate fills defaults and checks a pipeline against the schemas and the
// other pipelines, returning every problem at once, each with file:line.
func Validate(p *Pipeline, set *schemas.Set, all []*Pipeline) error {
	pos := yamlpos.Parse(p.File, p.text)
	var errs []error
	bad := func(path []any, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", pos.At(path...), fmt.Sprintf(format, a...)))
	}
	if !pipelineNameRe.MatchString(p.Name) {
		bad([]any{"name"}, "name %q must be snake_case", p.Name)
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
	ds, ok := set.Get(p.Target.Dataset)
	if !ok {
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
	if ds != nil {
		if p.Target.Mode == lake.Merge && len(p.Target.Key) == 0 {
			p.Target.Key = ds.Key
		}
		if p.Target.Mode == lake.Merge && len(p.Target.Key) == 0 {
			bad([]any{"target", "key"}, "mode merge needs a key, and dataset %s declares none", ds.Name)
		}
		for i, k := range p.Target.Key {
			if _, ok := ds.Column(k); !ok {
				bad([]any{"target", "key", i}, "key column %q is not a column of %s", k, ds.Name)
			}
		}
		for src, dst := range p.Mapping {
			if _, ok := ds.Column(dst); !ok {
				bad([]any{"mapping", src}, "mapping %s: %s: %s has no column %q (columns: %s)", src, dst, ds.Name, dst, columnNames(ds))
			}
		}
	}
	if p.SourceConfig != nil {
		if err := p.SourceConfig.Validate(); err != nil {
			for _, e := range splitJoined(err) {
				bad([]any{"source"}, "%v", e)
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
