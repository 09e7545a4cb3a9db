package sandbox

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/duckdb/duckdb-go/v2"
)

// MaxSQLBytes bounds the statements the sandbox parses.
const MaxSQLBytes = 256 << 10

// Policy says which data views a caller may read.
type Policy struct {
	// CanRead reports whether the view schema.table (lower case) may be read.
	CanRead func(schema, table string) bool
}

// Table is a table reference, lower case.
type Table struct{ Schema, Name string }

func (t Table) String() string { return t.Schema + "." + t.Name }

// Statement is a statement the sandbox accepted.
type Statement struct {
	SQL string
	// Tables are the data views the statement reads.
	Tables []Table
	// System are the catalog relations it reads (pg_catalog, information_schema).
	System []Table
	// CatalogFunctions is set when it calls a function of catalog_functions.txt.
	CatalogFunctions bool
	// Params is the number of parameters ($1, ?) it takes.
	Params int

	tree *tree // the parsed tree that was checked
}

// Catalog reports whether the statement reads no data view: such statements
// run on the session's catalog database, never on the data.
func (s *Statement) Catalog() bool { return len(s.Tables) == 0 }

// Checker parses statements with a DuckDB of its own, which reads no file
// and whose settings are locked. It keeps the parsed trees of the latest
// statements (the policy is applied at every check).
type Checker struct {
	connector *duckdb.Connector
	db        *sql.DB
	trees     *treeCache
}

// NewChecker starts the parser.
func NewChecker(ctx context.Context) (*Checker, error) {
	c, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, fmt.Errorf("starting the sandbox parser: %w", err)
	}
	db := sql.OpenDB(c)
	for _, s := range []string{"SET enable_external_access = false", "SET lock_configuration = true"} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			db.Close()
			c.Close()
			return nil, fmt.Errorf("configuring the sandbox parser (%s): %w", s, err)
		}
	}
	return &Checker{connector: c, db: db, trees: newTreeCache(1024)}, nil
}

// Close stops the parser.
func (c *Checker) Close() error { return errors.Join(c.db.Close(), c.connector.Close()) }

// Parse returns DuckDB's parsed tree of text as JSON.
func (c *Checker) Parse(ctx context.Context, text string) ([]byte, error) {
	var out string
	err := c.db.QueryRowContext(ctx, `SELECT CAST(json_serialize_sql(CAST(? AS VARCHAR)) AS VARCHAR)`, text).Scan(&out)
	if err != nil {
		return nil, fmt.Errorf("parsing the statement: %w", err)
	}
	return []byte(out), nil
}

type parsed struct {
	Error        bool              `json:"error"`
	ErrorType    string            `json:"error_type"`
	ErrorMessage string            `json:"error_message"`
	Position     string            `json:"position"`
	Statements   []json.RawMessage `json:"statements"`
}

// Check parses text and accepts it only when it is one SELECT statement that
// reaches nothing but what p allows. A refusal is a *Refusal; SQL DuckDB
// cannot parse is a *SyntaxError.
func (c *Checker) Check(ctx context.Context, text string, p Policy) (*Statement, error) {
	if len(text) > MaxSQLBytes {
		return nil, refuse(CodeTooLong, "câu lệnh dài quá %d byte", "the statement is longer than %d bytes", MaxSQLBytes)
	}
	tree, ok := c.trees.get(text)
	if !ok {
		raw, err := c.Parse(ctx, text)
		if err != nil {
			return nil, err
		}
		if tree, err = decode(raw); err != nil {
			return nil, err
		}
		c.trees.put(text, tree)
	}
	return tree.check(text, p)
}

// tree is a parsed statement: the refusal or syntax error of the parse, or
// the statement's node (read-only once decoded, shared by checks).
type tree struct {
	err    error
	node   map[string]any
	params int
}

func decode(raw []byte) (*tree, error) {
	var doc parsed
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("reading the parsed statement: %w", err)
	}
	if doc.Error {
		if doc.ErrorType == "parser" {
			pos, err := strconv.Atoi(doc.Position)
			if err != nil {
				pos = -1
			}
			return &tree{err: &SyntaxError{Message: doc.ErrorMessage, Position: pos}}, nil
		}
		return &tree{err: refuse(CodeNotSelect, "chỉ được chạy một câu lệnh SELECT (không ATTACH, COPY, SET, PRAGMA, INSTALL, LOAD, CALL, EXPORT, CREATE, INSERT…)",
			"only a SELECT statement may run (no ATTACH, COPY, SET, PRAGMA, INSTALL, LOAD, CALL, EXPORT, CREATE, INSERT…)")}, nil
	}
	switch len(doc.Statements) {
	case 0:
		return &tree{err: refuse(CodeEmpty, "câu lệnh rỗng", "empty statement")}, nil
	case 1:
	default:
		return &tree{err: refuse(CodeMulti, "chỉ được chạy một câu lệnh mỗi lần (có %d)", "one statement at a time (got %d)", len(doc.Statements))}, nil
	}
	var stmt map[string]any
	dec := json.NewDecoder(bytes.NewReader(doc.Statements[0]))
	dec.UseNumber()
	if err := dec.Decode(&stmt); err != nil {
		return nil, fmt.Errorf("reading the parsed statement: %w", err)
	}
	t := &tree{}
	if params, ok := stmt["named_param_map"].([]any); ok {
		t.params = len(params)
	}
	if t.node, _ = stmt["node"].(map[string]any); t.node == nil {
		t.err = refuse(CodeUnknownNode, "cú pháp không được hỗ trợ", "unsupported syntax")
	}
	return t, nil
}

// check applies a policy to the tree.
func (t *tree) check(text string, p Policy) (*Statement, error) {
	if t.err != nil {
		return nil, t.err
	}
	w := &walker{policy: p, st: &Statement{SQL: text, Params: t.params, tree: t}, seen: map[Table]bool{}}
	w.walk(t.node, nil)
	if w.err != nil {
		return nil, w.err
	}
	st := w.st
	if len(st.Tables) > 0 && (len(st.System) > 0 || st.CatalogFunctions) {
		return nil, refuse(CodeCatalogMix, "không được trộn bảng danh mục hệ thống (pg_catalog, information_schema) với dữ liệu",
			"catalog relations and functions (pg_catalog, information_schema) cannot be mixed with data")
	}
	return st, nil
}
