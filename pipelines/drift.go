package pipelines

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/sonla-data/kho/connectors"
)

// shapeOf is a source's columns and types as JSON ({"name": "type"}),
// provenance columns left out.
func shapeOf(sc *arrow.Schema) string {
	m := map[string]string{}
	for _, f := range sc.Fields() {
		if !strings.HasPrefix(f.Name, "_kho_") {
			m[f.Name] = f.Type.String()
		}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func parseShape(s string) map[string]string {
	m := map[string]string{}
	if s != "" {
		_ = json.Unmarshal([]byte(s), &m)
	}
	return m
}

// diffShapes lists how the source's columns changed: added, removed, retyped.
// The first run (no previous shape) has no drift.
func diffShapes(prev, cur string) []string {
	if prev == "" {
		return nil
	}
	a, b := parseShape(prev), parseShape(cur)
	var out []string
	for name, t := range b {
		old, ok := a[name]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("added %q (%s)", name, t))
		case old != t:
			out = append(out, fmt.Sprintf("retyped %q (%s, was %s)", name, t, old))
		}
	}
	for name, t := range a {
		if _, ok := b[name]; !ok {
			out = append(out, fmt.Sprintf("removed %q (was %s)", name, t))
		}
	}
	sort.Strings(out)
	return out
}

func addedColumns(prev, cur string) map[string]bool {
	out := map[string]bool{}
	if prev == "" {
		return out
	}
	a := parseShape(prev)
	for name := range parseShape(cur) {
		if _, ok := a[name]; !ok {
			out[name] = true
		}
	}
	return out
}

// markDiscarded marks, in the batch's _kho_error column, the rows that hold a
// value in a column the source gained (schema_drift: discard_row), so that the
// conform step quarantines them. The caller releases both batches.
func markDiscarded(alloc memory.Allocator, b arrow.RecordBatch, cols map[int]bool) (arrow.RecordBatch, error) {
	n := int(b.NumRows())
	errIdx := -1
	if idx := b.Schema().FieldIndices(connectors.ColError); len(idx) > 0 {
		errIdx = idx[0]
	}
	eb := array.NewStringBuilder(alloc)
	defer eb.Release()
	for r := 0; r < n; r++ {
		var prev string
		has := false
		if errIdx >= 0 {
			if c := b.Column(errIdx).(*array.String); c.IsValid(r) {
				prev, has = c.Value(r), true
			}
		}
		for i := range cols {
			if !has && b.Column(i).IsValid(r) {
				prev = fmt.Sprintf("column %q is new in the source (schema_drift: discard_row)", b.ColumnName(i))
				has = true
			}
		}
		if has {
			eb.Append(prev)
		} else {
			eb.AppendNull()
		}
	}
	errs := eb.NewArray()
	defer errs.Release()
	if errIdx >= 0 {
		return b.SetColumn(errIdx, errs)
	}
	fields := append(append([]arrow.Field(nil), b.Schema().Fields()...), arrow.Field{Name: connectors.ColError, Type: arrow.BinaryTypes.String, Nullable: true})
	cols2 := append(append([]arrow.Array(nil), b.Columns()...), errs)
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols2, int64(n)), nil
}
