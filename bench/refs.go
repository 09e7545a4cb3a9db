package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2"
	_ "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/xuri/excelize/v2"
)

// The references: the fastest the same input can be read (or, for DuckDB,
// read and written as Parquet) on this machine, each run in a child process
// of the bench (-ref NAME) so that its time and memory are its own.

// refResult is what a reference prints as its last line.
type refResult struct {
	Rows  int64 `json:"rows"`
	Bytes int64 `json:"bytes,omitempty"`
}

// refMain runs the reference named by -ref with its own flags and prints its
// result.
func refMain(ctx context.Context, ref string, args []string) error {
	fs := flag.NewFlagSet(ref, flag.ContinueOnError)
	in := fs.String("in", "", "input file")
	out := fs.String("out", "", "output file")
	dsn := fs.String("dsn", "", "database")
	table := fs.String("table", "", "table")
	query := fs.String("sql", "", "SQL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var (
		res refResult
		err error
	)
	switch ref {
	case "duckdb-csv":
		res, err = duckdbCopy(ctx, *in, *out)
	case "pg-copy":
		res, err = pgCopyBinary(ctx, *dsn, *table)
	case "kho-pg-source":
		res, err = khoPGSource(ctx, *dsn, *table)
	case "mysql-select":
		res, err = mysqlSelect(ctx, *dsn, *table)
	case "xlsx-rows":
		res, err = xlsxRows(*in)
	case "duckdb-query":
		res, err = duckdbQueryOnce(ctx, *in, *query)
	default:
		err = fmt.Errorf("no reference %q", ref)
	}
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}

// duckdbCopy is DuckDB's own CSV to Parquet: COPY (FROM read_csv(in)) TO out.
func duckdbCopy(ctx context.Context, in, out string) (refResult, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return refResult{}, err
	}
	defer db.Close()
	q := fmt.Sprintf("COPY (FROM read_csv(%s)) TO %s (FORMAT parquet)", sqlString(in), sqlString(out))
	var n int64
	if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
		// some versions return no row count from COPY
		if _, err2 := db.ExecContext(ctx, q); err2 != nil {
			return refResult{}, fmt.Errorf("%s: %w", q, err)
		}
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM read_parquet("+sqlString(out)+")").Scan(&n); err != nil {
			return refResult{}, err
		}
	}
	st, err := os.Stat(out)
	if err != nil {
		return refResult{}, err
	}
	return refResult{Rows: n, Bytes: st.Size()}, nil
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// countWriter counts bytes.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// pgCopyBinary drains the table with COPY … TO STDOUT (FORMAT binary): the
// fastest PostgreSQL can hand a table over.
func pgCopyBinary(ctx context.Context, dsn, table string) (refResult, error) {
	conn, err := pgconn.Connect(ctx, dsn)
	if err != nil {
		return refResult{}, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var w countWriter
	tag, err := conn.CopyTo(ctx, &w, "COPY "+table+" TO STDOUT (FORMAT binary)")
	if err != nil {
		return refResult{}, err
	}
	return refResult{Rows: tag.RowsAffected(), Bytes: w.n}, nil
}

// mysqlSelect drains SELECT * FROM table with go-sql-driver/mysql, each row
// scanned as raw bytes (the text protocol streams rows as they come).
func mysqlSelect(ctx context.Context, dsn, table string) (refResult, error) {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return refResult{}, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "SELECT * FROM "+table)
	if err != nil {
		return refResult{}, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return refResult{}, err
	}
	raw := make([]sql.RawBytes, len(cols))
	dest := make([]any, len(cols))
	for i := range raw {
		dest[i] = &raw[i]
	}
	var res refResult
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return res, err
		}
		for _, b := range raw {
			res.Bytes += int64(len(b))
		}
		res.Rows++
	}
	return res, rows.Err()
}

// xlsxRows drains every cell of the first sheet with excelize's streaming
// row reader, as raw cell values (no number formats applied: the least work
// a reader can do).
func xlsxRows(path string) (refResult, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return refResult{}, err
	}
	defer f.Close()
	rows, err := f.Rows(f.GetSheetName(0))
	if err != nil {
		return refResult{}, err
	}
	defer rows.Close()
	var res refResult
	for rows.Next() {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return res, err
		}
		for _, c := range cells {
			res.Bytes += int64(len(c))
		}
		res.Rows++
	}
	if err := rows.Error(); err != nil && !errors.Is(err, io.EOF) {
		return res, err
	}
	res.Rows-- // the header
	return res, nil
}

// duckdbQueryOnce runs a query once on a fresh in-memory DuckDB (setup SQL
// in -in, e.g. views over Parquet files) and counts its rows.
func duckdbQueryOnce(ctx context.Context, setup, query string) (refResult, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return refResult{}, err
	}
	defer db.Close()
	if setup != "" {
		if _, err := db.ExecContext(ctx, setup); err != nil {
			return refResult{}, err
		}
	}
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return refResult{}, err
	}
	defer rows.Close()
	var res refResult
	for rows.Next() {
		res.Rows++
	}
	return res, rows.Err()
}
