package lake

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog"
	"github.com/apache/iceberg-go/table"
)

// Close closes the catalog.
func (l *Lake) Close() error {
	return errors.Join(l.cat.Close(), l.db.Close())
}

// Root is the lake's folder.
func (l *Lake) Root() string { return l.root }

// RowGroupRows is the most rows of a Parquet row group of the tables Kho
// creates (write.parquet.row-group-limit); tables made before keep theirs.
const RowGroupRows = 122880

// Ident splits "domain.table".
func Ident(name string) (table.Identifier, error) {
	ns, t, ok := strings.Cut(name, ".")
	if !ok || ns == "" || t == "" || strings.Contains(t, ".") {
		return nil, fmt.Errorf("table name %q must be <namespace>.<table>", name)
	}
	return table.Identifier{ns, t}, nil
}

// Load returns a table, or an error wrapping catalog.ErrNoSuchTable.
func (l *Lake) Load(ctx context.Context, name string) (*table.Table, error) {
	id, err := Ident(name)
	if err != nil {
		return nil, err
	}
	t, err := l.cat.LoadTable(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("loading table %s: %w", name, err)
	}
	return t, nil
}

// Exists reports whether a table exists.
func (l *Lake) Exists(ctx context.Context, name string) (bool, error) {
	_, err := l.Load(ctx, name)
	if errors.Is(err, catalog.ErrNoSuchTable) {
		return false, nil
	}
	return err == nil, err
}

// Ensure returns the table, creating its namespace and itself when absent.
// An existing table keeps its schema; columns the new schema adds are added
// (schema evolution), and nothing is dropped.
func (l *Lake) Ensure(ctx context.Context, name string, sc *iceberg.Schema, spec iceberg.PartitionSpec, props iceberg.Properties) (*table.Table, error) {
	id, err := Ident(name)
	if err != nil {
		return nil, err
	}
	t, err := l.cat.LoadTable(ctx, id)
	if err == nil {
		return l.evolve(ctx, t, sc)
	}
	if !errors.Is(err, catalog.ErrNoSuchTable) {
		return nil, fmt.Errorf("loading table %s: %w", name, err)
	}
	ns := table.Identifier{id[0]}
	if ok, err := l.cat.CheckNamespaceExists(ctx, ns); err != nil {
		return nil, fmt.Errorf("checking namespace %s: %w", id[0], err)
	} else if !ok {
		if err := l.cat.CreateNamespace(ctx, ns, nil); err != nil && !errors.Is(err, catalog.ErrNamespaceAlreadyExists) {
			return nil, fmt.Errorf("creating namespace %s: %w", id[0], err)
		}
	}
	p := iceberg.Properties{
		table.ParquetCompressionKey: "zstd",
		"format-version":            "2",
		// iceberg-go keeps a row group's encoded pages in memory until the
		// group is full: groups of DuckDB's size (about 122,880 rows)
		// rather than the default 1,048,576 keep a large load's memory
		// flat (a month of a 10M-row load is one 400k-row group otherwise).
		table.ParquetRowGroupLimitKey: strconv.Itoa(RowGroupRows),
	}
	for k, v := range props {
		p[k] = v
	}
	t, err = l.cat.CreateTable(ctx, id, sc, catalog.WithPartitionSpec(&spec), catalog.WithProperties(p))
	if err != nil {
		if errors.Is(err, catalog.ErrTableAlreadyExists) {
			return l.Load(ctx, name)
		}
		return nil, fmt.Errorf("creating table %s: %w", name, err)
	}
	return t, nil
}

// evolve adds to t the columns of sc it lacks. A column sc gives another
// type is a migration (*MigrationError), never a write that fails later.
func (l *Lake) evolve(ctx context.Context, t *table.Table, sc *iceberg.Schema) (*table.Table, error) {
	if changes := TypeChanges(t.Schema(), sc); len(changes) > 0 {
		return nil, &MigrationError{Table: name(t), Types: changes}
	}
	missing := missingColumns(t.Schema(), sc)
	if len(missing) == 0 {
		return t, nil
	}
	tx := t.NewTransaction()
	up := tx.UpdateSchema(true, false)
	for _, f := range missing {
		up = up.AddColumn([]string{f.Name}, f.Type, f.Doc, false, nil)
	}
	if err := up.Commit(); err != nil {
		return nil, fmt.Errorf("evolving the schema of %s: %w", strings.Join(t.Identifier(), "."), err)
	}
	nt, err := tx.Commit(ctx)
	if err != nil {
		return nil, fmt.Errorf("evolving the schema of %s: %w", strings.Join(t.Identifier(), "."), err)
	}
	return nt, nil
}

// Tables lists every table of the lake as "namespace.table", sorted.
func (l *Lake) Tables(ctx context.Context) ([]string, error) {
	nss, err := l.cat.ListNamespaces(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("listing namespaces: %w", err)
	}
	var out []string
	for _, ns := range nss {
		var seq iter.Seq2[table.Identifier, error] = l.cat.ListTables(ctx, ns)
		for id, err := range seq {
			if err != nil {
				return nil, fmt.Errorf("listing tables of %s: %w", strings.Join(ns, "."), err)
			}
			out = append(out, strings.Join(id, "."))
		}
	}
	sort.Strings(out)
	return out, nil
}

// Drop removes a table from the catalog (its files stay: see Purge).
func (l *Lake) Drop(ctx context.Context, name string) error {
	id, err := Ident(name)
	if err != nil {
		return err
	}
	return l.cat.DropTable(ctx, id)
}

// Purge removes a table from the catalog and deletes its folder (data,
// delete and metadata files), which must lie inside the lake's folder: a
// table of another lake is never touched. It returns the folder removed.
func (l *Lake) Purge(ctx context.Context, name string) (string, error) {
	t, err := l.Load(ctx, name)
	if err != nil {
		return "", err
	}
	dir := filepath.Clean(LocalPath(t.Location()))
	if !strings.HasPrefix(dir, l.root+string(filepath.Separator)) {
		return "", fmt.Errorf("dropping %s: its folder %s is outside the lake %s: not deleting it", name, dir, l.root)
	}
	if err := l.Drop(ctx, name); err != nil {
		return "", fmt.Errorf("dropping %s: %w", name, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return dir, fmt.Errorf("dropping %s: the table left the catalog, but deleting %s: %w", name, dir, err)
	}
	return dir, nil
}
