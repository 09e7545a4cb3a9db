package pgwire

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/sonla-data/kho/server/engine"
)

// flushEvery rows, results are written out to the client.
const flushEvery = 500

// simple answers a Query message: its statements in order, until one fails.
// One data statement may come with statements the session answers itself
// (SET, SHOW, BEGIN…); several data statements are sent to the engine as one
// text, which the sandbox refuses (and audits).
func (s *session) simple(ctx context.Context, text string) {
	stmts := splitStatements(text)
	if len(stmts) == 0 {
		s.be.Send(&pgproto3.EmptyQueryResponse{})
		return
	}
	data := 0
	for _, st := range stmts {
		if localKind(st) == "" {
			data++
		}
	}
	if data > 1 {
		stmts = []string{text}
	}
	for _, st := range stmts {
		var err error
		if kind := localKind(st); kind != "" && data <= 1 {
			err = s.local(kind, st, nil, true)
		} else {
			err = s.runSimple(ctx, st)
		}
		if err != nil {
			s.be.Send(toResponse(err))
			return
		}
	}
}

// runSimple runs a data statement, with its RowDescription, in text format.
// A statement with parameters ($1, ?), which the simple protocol cannot
// bind, is described and not run: pgjdbc in simple mode sends one so for
// PreparedStatement.getMetaData().
func (s *session) runSimple(ctx context.Context, sql string) error {
	sql = s.statementText(ctx, sql)
	if st, err := s.srv.deps.Engine.Check(ctx, s.p, sql); err == nil && st.Params > 0 {
		desc, err := s.srv.deps.Engine.Describe(ctx, s.query(sql, nil, "sql"))
		if err != nil {
			return err
		}
		s.be.Send(rowDescription(desc.Columns, make([]uint32, len(desc.Columns)), nil))
		s.be.Send(&pgproto3.CommandComplete{CommandTag: []byte("SELECT 0")})
		return nil
	}
	rctx, done := s.begin(ctx)
	defer done()
	var oids []uint32
	var n int64
	var truncated bool
	var max int64
	err := s.srv.deps.Engine.Run(rctx, s.query(sql, nil, "sql"), func(res *engine.Result) error {
		max = res.MaxRows()
		err := res.Scan(func(cols []engine.ResultColumn) error {
			oids = make([]uint32, len(cols))
			s.be.Send(rowDescription(cols, oids, nil))
			return nil
		}, func(vals []any) error {
			return s.sendRow(vals, oids, nil, &n)
		})
		truncated = res.Truncated()
		return err
	})
	if err != nil {
		return err
	}
	if truncated {
		s.be.Send(rowLimitNotice(max))
	}
	s.be.Send(&pgproto3.CommandComplete{CommandTag: fmt.Appendf(nil, "SELECT %d", n)})
	return nil
}

// rowLimitNotice tells the client that its result was cut at max rows.
func rowLimitNotice(max int64) *pgproto3.NoticeResponse {
	return &pgproto3.NoticeResponse{Severity: "WARNING", SeverityUnlocalized: "WARNING", Code: "01000",
		Message: fmt.Sprintf("kết quả bị cắt ở %d dòng / the result was cut at %d rows (row limit)", max, max)}
}

// rowDescription describes cols, filling oids; formats are per column (nil: text).
func rowDescription(cols []engine.ResultColumn, oids []uint32, formats []int16) *pgproto3.RowDescription {
	rd := &pgproto3.RowDescription{Fields: make([]pgproto3.FieldDescription, len(cols))}
	for i, c := range cols {
		oid, size := pgType(c.Type)
		oids[i] = oid
		rd.Fields[i] = pgproto3.FieldDescription{Name: []byte(c.Name), DataTypeOID: oid, DataTypeSize: size,
			TypeModifier: -1, Format: formatOf(formats, i)}
	}
	return rd
}

// formatOf is the format code of column i: none given is text, one is for all.
func formatOf(formats []int16, i int) int16 {
	switch {
	case len(formats) == 0:
		return 0
	case len(formats) == 1:
		return formats[0]
	case i < len(formats):
		return formats[i]
	}
	return 0
}

// sendRow sends a DataRow, flushing now and then.
func (s *session) sendRow(vals []any, oids []uint32, formats []int16, n *int64) error {
	row := encodeRow(vals, oids, formats)
	if row.err != nil {
		return row.err
	}
	s.be.Send(&pgproto3.DataRow{Values: row.values})
	*n++
	if *n%flushEvery == 0 {
		return s.be.Flush()
	}
	return nil
}

type encoded struct {
	values [][]byte
	err    error
}

func encodeRow(vals []any, oids []uint32, formats []int16) encoded {
	out := make([][]byte, len(vals))
	for i, v := range vals {
		if formatOf(formats, i) == 1 {
			b, err := encodeBinary(v, oids[i])
			if err != nil {
				return encoded{err: err}
			}
			out[i] = b
			continue
		}
		out[i] = encodeText(v, oids[i])
	}
	return encoded{values: out}
}

// local answers what the session handles itself. describe: send a
// RowDescription for SHOW (the simple protocol; the extended one describes
// it in Describe).
func (s *session) local(kind, text string, formats []int16, describe bool) error {
	tag := kind
	switch kind {
	case "SET":
		name, value, ok := parseSet(text)
		if ok {
			if name == "transaction" || name == "session" {
				break
			}
			s.params[name] = value
		}
	case "RESET":
		_, b := firstWords(text)
		if b == "ALL" {
			for k := range s.params {
				if k != "user" && k != "database" {
					delete(s.params, k)
				}
			}
		} else {
			delete(s.params, strings.ToLower(b))
		}
	case "SHOW":
		name := showName(text)
		col := []engine.ResultColumn{{Name: name, Type: "VARCHAR"}}
		if describe {
			s.be.Send(rowDescription(col, make([]uint32, 1), formats))
		}
		s.be.Send(&pgproto3.DataRow{Values: [][]byte{[]byte(s.setting(name))}})
		s.be.Send(&pgproto3.CommandComplete{CommandTag: []byte("SHOW")})
		return nil
	case "SETTING":
		name := strings.ToLower(settingQuery.FindStringSubmatch(text)[1])
		if describe {
			s.be.Send(rowDescription([]engine.ResultColumn{{Name: "setting", Type: "VARCHAR"}}, make([]uint32, 1), formats))
		}
		n := 0
		if v := s.setting(name); v != "" {
			s.be.Send(&pgproto3.DataRow{Values: [][]byte{[]byte(v)}})
			n = 1
		}
		s.be.Send(&pgproto3.CommandComplete{CommandTag: fmt.Appendf(nil, "SELECT %d", n)})
		return nil
	case "BEGIN":
		s.tx = 'T'
	case "COMMIT", "END", "ROLLBACK", "ABORT":
		s.tx = 'I'
		if kind == "END" {
			tag = "COMMIT"
		}
		if kind == "ABORT" {
			tag = "ROLLBACK"
		}
	case "DISCARD":
		tag = "DISCARD ALL"
		s.stmts, s.portals = map[string]*prepared{}, map[string]*portal{}
	case "DEALLOCATE":
		_, b := firstWords(text)
		if b == "ALL" || b == "" {
			s.stmts = map[string]*prepared{}
		} else {
			delete(s.stmts, strings.Trim(strings.ToLower(b), `"`))
		}
	case "CLOSE":
		tag = "CLOSE CURSOR"
	}
	s.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
	return nil
}

// setting is what SHOW name answers.
func (s *session) setting(name string) string {
	if v, ok := s.params[name]; ok {
		return v
	}
	switch name {
	case "server_version":
		return ServerVersion
	case "server_version_num":
		return "140000"
	case "server_encoding", "client_encoding":
		return "UTF8"
	case "datestyle":
		return "ISO, MDY"
	case "timezone":
		return "Asia/Ho_Chi_Minh"
	case "transaction_isolation", "default_transaction_isolation":
		return "read committed"
	case "transaction_read_only", "default_transaction_read_only":
		return "on"
	case "standard_conforming_strings", "integer_datetimes":
		return "on"
	case "search_path":
		return `"$user", public`
	case "max_identifier_length":
		return "63"
	case "max_index_keys":
		return "32"
	case "lc_collate", "lc_ctype":
		return "C.UTF-8"
	case "intervalstyle":
		return "postgres"
	}
	return ""
}
