package lake

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
)

// PropKey is the table property holding the key of a table's merges
// (comma-separated column names): changing it is a migration.
const PropKey = "kho.key"

// ErrMigration is wrapped by every MigrationError.
var ErrMigration = errors.New("the dataset needs a migration")

// TypeChange is a column whose type in the dataset's schema differs from
// the table's.
type TypeChange struct {
	Column   string
	From, To iceberg.Type
}

// MigrationError says that a table cannot take the dataset's schema or key
// without rewriting its rows, and how to ask for that.
type MigrationError struct {
	Table          string
	Types          []TypeChange
	KeyFrom, KeyTo []string
}

func (e *MigrationError) Error() string {
	var what []string
	for _, c := range e.Types {
		what = append(what, fmt.Sprintf("column %s changes type from %s to %s", c.Column, c.From, c.To))
	}
	if e.KeyTo != nil {
		what = append(what, fmt.Sprintf("the key changes from (%s) to (%s)", strings.Join(e.KeyFrom, ", "), strings.Join(e.KeyTo, ", ")))
	}
	return fmt.Sprintf("table %s: %s: this is a migration; run `kho lake migrate %s` to rewrite the table's rows "+
		"(rows that cannot convert go to its quarantine; old snapshots stay readable), or "+
		"`kho run --full-refresh --recreate PIPELINE` to reload it from the source",
		e.Table, strings.Join(what, "; "), e.Table)
}

func (e *MigrationError) Unwrap() error { return ErrMigration }

// TypeChanges lists the columns of want that cur holds with another type
// (columns are matched by name; columns only one side has are no change).
func TypeChanges(cur, want *iceberg.Schema) []TypeChange {
	var out []TypeChange
	for _, f := range want.Fields() {
		old, ok := cur.FindFieldByName(f.Name)
		if ok && !old.Type.Equals(f.Type) {
			out = append(out, TypeChange{Column: f.Name, From: old.Type, To: f.Type})
		}
	}
	return out
}

// TableKey is the key a table's merges were made with (nil: none recorded).
func TableKey(t *table.Table) []string {
	k := t.Properties()[PropKey]
	if k == "" {
		return nil
	}
	return strings.Split(k, ",")
}

// CheckKey makes sure t is merged by key: a table with no recorded key
// records it (a metadata change, no snapshot); a table merged by another key
// gives a *MigrationError.
func (l *Lake) CheckKey(ctx context.Context, t *table.Table, key []string) (*table.Table, error) {
	cur := TableKey(t)
	if slices.Equal(cur, key) {
		return t, nil
	}
	if cur != nil {
		return t, &MigrationError{Table: name(t), KeyFrom: cur, KeyTo: key}
	}
	tx := t.NewTransaction()
	if err := tx.SetProperties(iceberg.Properties{PropKey: strings.Join(key, ",")}); err != nil {
		return t, fmt.Errorf("recording the key of %s: %w", name(t), err)
	}
	nt, err := tx.Commit(ctx)
	if err != nil {
		return t, fmt.Errorf("recording the key of %s: %w", name(t), err)
	}
	return nt, nil
}

// Migration rewrites a table into a new schema (and key) in one commit.
type Migration struct {
	// Schema is the dataset's schema: columns of the table whose type it
	// changes are replaced by new columns of the same name (new field ids,
	// so the old snapshots keep their own columns and stay readable).
	Schema *iceberg.Schema
	// Key, when set, is recorded as the table's key.
	Key []string
	// Summary goes into the snapshot summary.
	Summary map[string]string
}

// Migrate replaces the schema of t by m.Schema and its rows by those of rdr
// (batches of m.Schema's Arrow form), in one commit. The partition column
// cannot change type.
func (l *Lake) Migrate(ctx context.Context, t *table.Table, rdr array.RecordReader, m Migration) (*table.Table, error) {
	changes := TypeChanges(t.Schema(), m.Schema)
	spec := t.Spec()
	for _, c := range changes {
		old, _ := t.Schema().FindFieldByName(c.Column)
		for _, pf := range spec.Fields() {
			if pf.SourceID() == old.ID {
				return nil, fmt.Errorf("migrating %s: column %s partitions the table and cannot change type: reload the table with `kho run --full-refresh --recreate PIPELINE`", name(t), c.Column)
			}
		}
	}
	tx := t.NewTransaction()
	if len(changes) > 0 || len(missingColumns(t.Schema(), m.Schema)) > 0 {
		up := tx.UpdateSchema(true, false)
		for _, c := range changes {
			up = up.DeleteColumn([]string{c.Column})
		}
		for _, f := range m.Schema.Fields() {
			_, had := t.Schema().FindFieldByName(f.Name)
			changed := slices.ContainsFunc(changes, func(c TypeChange) bool { return c.Column == f.Name })
			if !had || changed {
				up = up.AddColumn([]string{f.Name}, f.Type, f.Doc, false, nil)
			}
		}
		// A replaced column goes last: iceberg-go moves columns by name,
		// which names the deleted column in the same update.
		if err := up.Commit(); err != nil {
			return nil, fmt.Errorf("migrating the schema of %s: %w", name(t), err)
		}
	}
	if m.Key != nil {
		if err := tx.SetProperties(iceberg.Properties{PropKey: strings.Join(m.Key, ",")}); err != nil {
			return nil, fmt.Errorf("recording the key of %s: %w", name(t), err)
		}
	}
	props := iceberg.Properties{SumOperation: "migrate"}
	for k, v := range m.Summary {
		props[k] = v
	}
	var err error
	if t.CurrentSnapshot() == nil {
		err = tx.Append(ctx, rdr, props)
	} else {
		err = tx.Overwrite(ctx, rdr, props)
	}
	if err != nil {
		return nil, fmt.Errorf("migrating %s: %w", name(t), err)
	}
	nt, err := tx.Commit(ctx)
	if err != nil {
		return nil, fmt.Errorf("committing the migration of %s: %w", name(t), err)
	}
	return nt, nil
}

func missingColumns(cur, want *iceberg.Schema) []iceberg.NestedField {
	var out []iceberg.NestedField
	for _, f := range want.Fields() {
		if _, ok := cur.FindFieldByName(f.Name); !ok {
			out = append(out, f)
		}
	}
	return out
}
