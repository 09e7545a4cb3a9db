package pipelines

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/iceberg-go/table"
	"github.com/invopop/jsonschema"
	"gopkg.in/yaml.v3"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/warehouse/lake"
)

// Deletes says how rows deleted in the source leave the lake (mode merge):
//
//	deletes: detect                       # compare the source's keys with the lake's at every run
//	deletes: {detect: "0 3 * * 0"}        # … on a schedule of its own (cron or @weekly)
//	deletes: {soft: is_deleted}           # the source flags deleted rows in a column
type Deletes struct {
	// Detect compares the keys of the whole source with the table's: the
	// table's rows whose key the source no longer holds are deleted.
	Detect bool
	// Schedule is when a detection is due ("": at every run).
	Schedule string
	// Soft names the dataset column that flags a deleted row: true (bool)
	// or any value (other types).
	Soft string
	// Line is where the key is, for errors.
	Line, Column int
}

// UnmarshalYAML reads `detect`, or a mapping with detect and/or soft.
func (d *Deletes) UnmarshalYAML(n *yaml.Node) error {
	d.Line, d.Column = n.Line, n.Column
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Value != "detect" {
			return fmt.Errorf("line %d: deletes must be detect, {detect: SCHEDULE} or {soft: COLUMN}", n.Line)
		}
		d.Detect = true
		return nil
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			switch k {
			case "detect":
				switch v.Value {
				case "true", "always", "":
					d.Detect = true
				case "false":
				default:
					d.Detect, d.Schedule = true, v.Value
				}
			case "soft":
				d.Soft = v.Value
			default:
				return fmt.Errorf("line %d: deletes has no key %q (detect, soft)", n.Content[i].Line, k)
			}
		}
		return nil
	}
	return fmt.Errorf("line %d: deletes must be detect, {detect: SCHEDULE} or {soft: COLUMN}", n.Line)
}

// JSONSchema describes the forms of deletes for editors.
func (Deletes) JSONSchema() *jsonschema.Schema {
	obj := &jsonschema.Schema{Type: "object", Properties: jsonschema.NewProperties()}
	obj.Properties.Set("detect", &jsonschema.Schema{Description: "true, or a cron schedule of its own"})
	obj.Properties.Set("soft", &jsonschema.Schema{Type: "string", Description: "the column that flags a deleted row"})
	return &jsonschema.Schema{Description: "How rows deleted in the source leave the lake (mode merge).",
		OneOf: []*jsonschema.Schema{{Type: "string", Enum: []any{"detect"}}, obj}}
}

// validateDeletes checks deletes against the target.
func validateDeletes(p *Pipeline, ds *schemas.Dataset, bad func(path []any, format string, a ...any)) {
	d := p.Target.Deletes
	if d == nil {
		return
	}
	if p.Target.Mode != lake.Merge {
		bad([]any{"target", "deletes"}, "deletes needs mode merge (rows are deleted by their key)")
	}
	if d.Schedule != "" {
		if _, err := CronParser.Parse(d.Schedule); err != nil {
			bad([]any{"target", "deletes", "detect"}, "deletes.detect %q is not a cron schedule: %v", d.Schedule, err)
		}
	}
	if d.Soft != "" && ds != nil {
		if _, ok := ds.Column(d.Soft); !ok {
			bad([]any{"target", "deletes", "soft"}, "deletes.soft %q is not a column of %s (columns: %s)", d.Soft, ds.Name, columnNames(ds))
		}
		if ds.IsKey(d.Soft) {
			bad([]any{"target", "deletes", "soft"}, "deletes.soft %q is a key column", d.Soft)
		}
	}
}

// detectDue reports whether a run compares the source's keys with the
// table's: every run, or when the schedule passed since the last check.
func detectDue(d *Deletes, tbl *table.Table, pipeline string, now time.Time) bool {
	if d == nil || !d.Detect {
		return false
	}
	if d.Schedule == "" {
		return true
	}
	last, err := time.Parse(time.RFC3339, lake.LastSummary(tbl, pipeline)[sumDeletesChecked])
	if err != nil {
		return true
	}
	s, err := CronParser.Parse(d.Schedule)
	if err != nil {
		return false
	}
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	if loc == nil {
		loc = time.UTC
	}
	return !s.Next(last.In(loc)).After(now)
}

// splitSoftDeleted takes the rows a soft-delete column flags out of a
// conformed batch: their keys go into deletes, and out of spooled (the
// keys of the rows spooled so far, nil when none are kept: a change log's
// row of a key that a later version flags is not written), the other rows
// are returned (good is released).
func (r *Runner) splitSoftDeleted(ctx context.Context, good arrow.RecordBatch, col string, deletes, spooled *lake.KeyIndex) (arrow.RecordBatch, error) {
	idx := good.Schema().FieldIndices(col)
	if len(idx) == 0 {
		return good, nil
	}
	flag := good.Column(idx[0])
	n := int(good.NumRows())
	keep := make([]bool, n)
	del := make([]bool, n)
	any := false
	for i := 0; i < n; i++ {
		deleted := flag.IsValid(i)
		if b, ok := flag.(*array.Boolean); ok {
			deleted = deleted && b.Value(i)
		}
		keep[i], del[i] = !deleted, deleted
		any = any || deleted
	}
	if !any {
		return good, nil
	}
	if spooled != nil {
		lastVersions(good, spooled.Columns(), keep)
	}
	defer good.Release()
	filter := func(mask []bool) (arrow.RecordBatch, error) {
		bb := array.NewBooleanBuilder(r.alloc())
		defer bb.Release()
		bb.AppendValues(mask, nil)
		m := bb.NewBooleanArray()
		defer m.Release()
		return compute.FilterRecordBatch(compute.WithAllocator(ctx, r.alloc()), good, m, compute.DefaultFilterOptions())
	}
	gone, err := filter(del)
	if err != nil {
		return nil, err
	}
	err = deletes.Add(gone, nil)
	if err == nil && spooled != nil {
		err = spooled.Remove(gone)
	}
	gone.Release()
	if err != nil {
		return nil, err
	}
	return filter(keep)
}

// detectDeletes sets ex.keepOnly, when a detection is due, to every key the
// source holds: the keys of this run when it read the source whole, else
// those of a second, whole read. A detection is skipped (with a warning)
// when that read quarantined rows, whose keys are not known for sure: a
// row is never deleted for being bad.
func (r *Runner) detectDeletes(ctx context.Context, p *Pipeline, ds *schemas.Dataset, ex *extraction, opt RunOptions) error {
	if p.Target.Mode != lake.Merge || lake.RowCount(ex.tbl) == 0 || !detectDue(p.Target.Deletes, ex.tbl, p.Name, r.now()) {
		return nil
	}
	// A run that read the source whole has its keys; else the keys alone
	// are read.
	if ex.prevState == nil {
		if ex.keepOnly = ex.good.Keys(); ex.bad.Rows() > 0 || ex.keepOnly == nil {
			r.log().Warn("deletes: detect skipped: the source has quarantined rows, whose keys are not known for sure", "pipeline", p.Name, "rows", ex.bad.Rows())
			ex.keepOnly = nil
		}
		return nil
	}
	keys, bad, err := r.sourceKeys(ctx, p, ds)
	if err != nil {
		return err
	}
	if bad > 0 {
		r.log().Warn("deletes: detect skipped: the source has rows whose key cannot be read", "pipeline", p.Name, "rows", bad)
	}
	ex.keepOnly = keys
	return nil
}

// lastVersions keeps, of the rows of a batch that hold one key, only the
// last one flagged kept: a row followed in the batch by a flagged row of
// its key is a version that the flag replaces (a change log reads several
// versions of a row in one run).
func lastVersions(b arrow.RecordBatch, keyCols []string, keep []bool) {
	n := int(b.NumRows())
	cols := make([]arrow.Array, 0, len(keyCols))
	for _, c := range keyCols {
		idx := b.Schema().FieldIndices(c)
		if len(idx) == 0 {
			return
		}
		cols = append(cols, b.Column(idx[0]))
	}
	key := func(i int) string {
		var sb strings.Builder
		for _, a := range cols {
			v := "\x01"
			if a.IsValid(i) {
				v = a.ValueStr(i)
			}
			sb.WriteString(strconv.Quote(v))
		}
		return sb.String()
	}
	flaggedAfter := map[string]bool{}
	for i := n - 1; i >= 0; i-- {
		k := key(i)
		if !keep[i] {
			flaggedAfter[k] = true
			continue
		}
		if flaggedAfter[k] {
			keep[i] = false // and so are the key's earlier rows
		}
	}
}

// sourceKeys reads every key the source holds, reading only the source
// columns that fill the key columns (SQL sources select them alone) through
// the transforms and the conform step of the key columns: the other columns
// of a row, good or bad, play no part. It returns nil keys, and the number
// of rows whose key was bad, when a key could not be read.
func (r *Runner) sourceKeys(ctx context.Context, p *Pipeline, ds *schemas.Dataset) (*lake.KeyIndex, int64, error) {
	fail := func(err error) error { return &RunError{Pipeline: p.Name, Step: "reading the source's keys", Err: err} }
	key := map[string]bool{}
	for _, k := range p.Target.Key {
		key[k] = true
	}
	keyDS := *ds
	keyDS.Columns = nil
	keyDS.Checks = nil
	keyDS.Partition = nil
	keyDS.Key = p.Target.Key
	for _, c := range ds.Columns {
		if key[c.Name] {
			keyDS.Columns = append(keyDS.Columns, c)
		}
	}
	wants := func(name string) bool {
		dst, ok := ds.TargetOf(name, p.Mapping)
		return ok && key[dst]
	}
	alloc := r.alloc()
	src, err := p.SourceConfig.Open(ctx, connectors.Env{BaseDir: p.Dir, Logger: r.log().With("pipeline", p.Name), Alloc: alloc, Columns: wants})
	if err != nil {
		return nil, 0, fail(err)
	}
	defer src.Close()
	tr, err := newTransformer(keyTransforms(p.Transforms, src.Schema()))
	if err != nil {
		return nil, 0, fail(err)
	}
	mapping := map[string]string{}
	for s, d := range p.Mapping {
		if key[d] {
			mapping[s] = d
		}
	}
	conf, err := schemas.NewConformer(&keyDS, src.Schema(), mapping, schemas.ConformOptions{Alloc: alloc, Units: r.Units, Today: r.now(), Numbers: p.NumberFormats()})
	if err != nil {
		return nil, 0, fail(err)
	}
	keys := lake.NewKeyIndex(p.Target.Key)
	var bad int64
	for {
		b, err := src.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, fail(err)
		}
		in, err := tr.apply(alloc, b)
		b.Release()
		if err != nil {
			return nil, 0, fail(err)
		}
		good, bs, err := conf.Conform(in)
		in.Release()
		if err != nil {
			return nil, 0, fail(err)
		}
		bad += int64(len(bs))
		if good != nil {
			err = keys.Add(good, nil)
			good.Release()
			if err != nil {
				return nil, 0, fail(err)
			}
		}
	}
	if bad > 0 {
		return nil, bad, nil
	}
	return keys, 0, nil
}

// keyTransforms are the transforms of the source columns sc holds.
func keyTransforms(all map[string][]string, sc *arrow.Schema) map[string][]string {
	out := map[string][]string{}
	for col, specs := range all {
		if sc.HasField(col) {
			out[col] = specs
		}
	}
	return out
}
