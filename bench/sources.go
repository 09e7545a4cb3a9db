package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/xuri/excelize/v2"
)

// dataVersion names the generator's output: change it when gen changes, so
// that cached files and tables are written again.
const dataVersion = "v3"

// writeCSV writes rows 0..n-1 to path (kept when it exists: the rows depend
// on n and dataVersion alone).
func writeCSV(path string, n int64, cc communeCodes) error {
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return nil
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.Write(csvHeader())
	buf := make([]byte, 0, 1024)
	for i := int64(0); i < n; i++ {
		rec := gen(i, n, cc)
		buf = rec.appendCSV(buf[:0])
		if _, err := w.Write(buf); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// tableComment marks a bench table with what it holds, so that a later run
// reuses it.
func tableComment(n int64) string { return fmt.Sprintf("kho-bench %s rows %d", dataVersion, n) }

// pgEnsureDB creates the bench database when absent and returns its DSN.
func pgEnsureDB(ctx context.Context, adminDSN, db string) (string, error) {
	conn, err := pgx.Connect(ctx, adminDSN)
	if err != nil {
		return "", fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", db).Scan(&exists); err != nil {
		return "", err
	}
	if !exists {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{db}.Sanitize()); err != nil {
			return "", err
		}
	}
	cfg, err := pgconn.ParseConfig(adminDSN)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, db), nil
}

// pgLoad fills table with the rows of the CSV file (COPY FROM STDIN), unless
// it already holds them.
func pgLoad(ctx context.Context, dsn, table, csvPath string, n int64) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var comment *string
	_ = conn.QueryRow(ctx, "SELECT obj_description(to_regclass($1), 'pg_class')", table).Scan(&comment)
	if comment != nil && *comment == tableComment(n) {
		return nil
	}
	var cols []string
	for _, c := range columns {
		cols = append(cols, c.name+" "+c.pg)
	}
	for _, q := range []string{
		"DROP TABLE IF EXISTS " + table,
		"CREATE TABLE " + table + " (" + strings.Join(cols, ", ") + ")",
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	f, err := os.Open(csvPath)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := conn.PgConn().CopyFrom(ctx, bufio.NewReaderSize(f, 1<<20), "COPY "+table+" FROM STDIN (FORMAT csv, HEADER true)"); err != nil {
		return fmt.Errorf("copying %s into %s: %w", csvPath, table, err)
	}
	for _, q := range []string{
		"ALTER TABLE " + table + " ADD PRIMARY KEY (stt)",
		"VACUUM ANALYZE " + table,
		"COMMENT ON TABLE " + table + " IS '" + tableComment(n) + "'",
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// pgExec runs statements on the bench database.
func pgExec(ctx context.Context, dsn string, qs ...string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, q := range qs {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// myEnsureDB creates the bench database when absent and returns its DSN.
func myEnsureDB(ctx context.Context, adminDSN, db string) (string, error) {
	cfg, err := mysql.ParseDSN(adminDSN)
	if err != nil {
		return "", err
	}
	conn, err := sql.Open("mysql", adminDSN)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS `"+db+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		return "", fmt.Errorf("connecting to MariaDB: %w", err)
	}
	cfg.DBName = db
	cfg.ParseTime = false
	return cfg.FormatDSN(), nil
}

// myLoad fills table with the rows of the CSV file (LOAD DATA LOCAL INFILE),
// unless it already holds them.
func myLoad(ctx context.Context, dsn, table, csvPath string, n int64) error {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return err
	}
	cfg.AllowAllFiles = true
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return err
	}
	defer db.Close()
	var comment string
	_ = db.QueryRowContext(ctx, "SELECT table_comment FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?", table).Scan(&comment)
	if comment == tableComment(n) {
		return nil
	}
	var cols, vars, sets []string
	for _, c := range columns {
		cols = append(cols, c.name+" "+c.my)
		vars = append(vars, "@"+c.name)
		sets = append(sets, c.name+" = NULLIF(@"+c.name+", '')")
	}
	for _, q := range []string{
		"DROP TABLE IF EXISTS " + table,
		"CREATE TABLE " + table + " (" + strings.Join(cols, ", ") + ", PRIMARY KEY (stt)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='" + tableComment(n) + "-loading'",
		"LOAD DATA LOCAL INFILE '" + csvPath + "' INTO TABLE " + table +
			" CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' LINES TERMINATED BY '\\n' IGNORE 1 LINES (" +
			strings.Join(vars, ", ") + ") SET " + strings.Join(sets, ", "),
		"ALTER TABLE " + table + " COMMENT = '" + tableComment(n) + "'",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%.200s: %w", q, err)
		}
	}
	return nil
}

// writeXLSX writes rows 0..n-1 to one sheet with excelize's StreamWriter:
// text, numbers and date-time cells as an agency's export has them.
func writeXLSX(path string, n int64, cc communeCodes) error {
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return nil
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Hồ sơ"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	dt, err := f.NewStyle(&excelize.Style{NumFmt: 22}) // m/d/yy h:mm
	if err != nil {
		return err
	}
	header := make([]any, len(columns))
	for i, c := range columns {
		header[i] = c.name
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	row := make([]any, len(columns))
	for i := int64(0); i < n; i++ {
		rec := gen(i, n, cc)
		for j, v := range rec.values() {
			switch v := v.(type) {
			case time.Time:
				row[j] = excelize.Cell{StyleID: dt, Value: v}
			case bool:
				if v {
					row[j] = 1
				} else {
					row[j] = 0
				}
			case nil:
				row[j] = nil
			default:
				row[j] = v
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, int(i)+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	tmp := path + ".tmp.xlsx"
	if err := f.SaveAs(tmp); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

var errSkipped = errors.New("skipped")
