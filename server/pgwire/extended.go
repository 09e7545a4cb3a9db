package pgwire

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/sonla-data/kho/server/engine"
)

// prepared is a parsed statement.
type prepared struct {
	sql       string
	local     string // what local() answers, "" for the engine
	empty     bool
	paramOIDs []uint32
	cols      []engine.ResultColumn
	// unsure: DuckDB could not type a parameter, and so cannot tell the
	// columns before the values are bound (select $1 AS a, 2 AS b describes
	// one column): a portal of it is described by running it.
	unsure bool
}

// portal is a bound statement.
type portal struct {
	stmt    *prepared
	args    []any
	formats []int16
	// A portal executed with a row count, or described by running it, keeps
	// its rows (and columns) for the next Execute.
	rows      [][][]byte
	cols      []engine.ResultColumn
	done      bool
	n         int64
	truncated bool
	max       int64
}

func (s *session) parse(ctx context.Context, m *pgproto3.Parse) {
	stmts := splitStatements(m.Query)
	st := &prepared{sql: s.statementText(ctx, m.Query)}
	switch {
	case len(stmts) == 0:
		st.empty = true
	case len(stmts) == 1 && localKind(stmts[0]) != "":
		st.local = localKind(stmts[0])
		st.sql = stmts[0]
	default:
		desc, err := s.srv.deps.Engine.Describe(ctx, s.query(st.sql, nil, "sql"))
		if err != nil {
			s.fail(err)
			return
		}
		st.cols = desc.Columns
		st.paramOIDs = make([]uint32, len(desc.Params))
		for i, t := range desc.Params {
			if t == "" {
				st.unsure = true
			}
			if i < len(m.ParameterOIDs) && m.ParameterOIDs[i] != 0 {
				st.paramOIDs[i] = m.ParameterOIDs[i]
				continue
			}
			if t == "" {
				st.paramOIDs[i] = oidText
				continue
			}
			st.paramOIDs[i], _ = pgType(t)
		}
	}
	s.stmts[m.Name] = st
	s.be.Send(&pgproto3.ParseComplete{})
}

func (s *session) bind(m *pgproto3.Bind) {
	st, ok := s.stmts[m.PreparedStatement]
	if !ok {
		s.fail(&pgError{code: "26000", msg: fmt.Sprintf("không có câu lệnh đã chuẩn bị %q / prepared statement %q does not exist", m.PreparedStatement, m.PreparedStatement)})
		return
	}
	if len(m.Parameters) != len(st.paramOIDs) && !(st.local != "" || st.empty) {
		s.fail(&pgError{code: "08P01", msg: fmt.Sprintf("câu lệnh cần %d tham số, nhận %d / the statement takes %d parameters, got %d", len(st.paramOIDs), len(m.Parameters), len(st.paramOIDs), len(m.Parameters))})
		return
	}
	args := make([]any, len(m.Parameters))
	for i, b := range m.Parameters {
		var oid uint32
		if i < len(st.paramOIDs) {
			oid = st.paramOIDs[i]
		}
		v, err := decodeParam(b, formatOf(m.ParameterFormatCodes, i), oid)
		if err != nil {
			s.fail(&pgError{code: "22P02", msg: fmt.Sprintf("tham số $%d không đọc được / cannot read parameter $%d: %v", i+1, i+1, err)})
			return
		}
		args[i] = v
	}
	s.portals[m.DestinationPortal] = &portal{stmt: st, args: args, formats: m.ResultFormatCodes}
	s.be.Send(&pgproto3.BindComplete{})
}

func (s *session) describe(ctx context.Context, m *pgproto3.Describe) {
	var st *prepared
	var formats []int16
	if m.ObjectType == 'S' {
		var ok bool
		if st, ok = s.stmts[m.Name]; !ok {
			s.fail(&pgError{code: "26000", msg: fmt.Sprintf("prepared statement %q does not exist", m.Name)})
			return
		}
		s.be.Send(&pgproto3.ParameterDescription{ParameterOIDs: st.paramOIDs})
	} else {
		p, ok := s.portals[m.Name]
		if !ok {
			s.fail(&pgError{code: "34000", msg: fmt.Sprintf("portal %q does not exist", m.Name)})
			return
		}
		st, formats = p.stmt, p.formats
		if st.unsure && st.local == "" && !st.empty {
			if !p.done {
				if err := s.runPortal(ctx, p); err != nil {
					s.fail(err)
					return
				}
			}
			if len(p.cols) == 0 {
				s.be.Send(&pgproto3.NoData{})
				return
			}
			s.be.Send(rowDescription(p.cols, make([]uint32, len(p.cols)), formats))
			return
		}
	}
	switch {
	case st.local == "SHOW":
		s.be.Send(rowDescription([]engine.ResultColumn{{Name: showName(st.sql), Type: "VARCHAR"}}, make([]uint32, 1), formats))
	case st.local == "SETTING":
		s.be.Send(rowDescription([]engine.ResultColumn{{Name: "setting", Type: "VARCHAR"}}, make([]uint32, 1), formats))
	case st.local != "" || st.empty || len(st.cols) == 0:
		s.be.Send(&pgproto3.NoData{})
	default:
		s.be.Send(rowDescription(st.cols, make([]uint32, len(st.cols)), formats))
	}
}

func (s *session) execute(ctx context.Context, m *pgproto3.Execute) {
	p, ok := s.portals[m.Portal]
	if !ok {
		s.fail(&pgError{code: "34000", msg: fmt.Sprintf("portal %q does not exist", m.Portal)})
		return
	}
	st := p.stmt
	switch {
	case st.empty:
		s.be.Send(&pgproto3.EmptyQueryResponse{})
		return
	case st.local != "":
		if err := s.local(st.local, st.sql, p.formats, false); err != nil {
			s.fail(err)
		}
		return
	}
	if m.MaxRows > 0 || p.done {
		s.executeSome(ctx, p, int(m.MaxRows))
		return
	}
	oids := make([]uint32, len(st.cols))
	for i, c := range st.cols {
		oids[i], _ = pgType(c.Type)
	}
	var n int64
	var truncated bool
	var max int64
	rctx, done := s.begin(ctx)
	err := s.srv.deps.Engine.Run(rctx, s.query(st.sql, p.args, "sql"), func(res *engine.Result) error {
		// A cached answer sent before in these types and formats is sent
		// as the DataRow messages it was then.
		format := rowsFormat(oids, p.formats)
		if body, ok := res.Encoded(format); ok {
			s.be.Send(rawMessages(body))
			n, truncated, max = res.Rows(), res.Truncated(), res.MaxRows()
			return nil
		}
		var kept []byte
		keep := res.Cacheable()
		err := res.Scan(func(cols []engine.ResultColumn) error {
			if len(cols) != len(oids) {
				return fmt.Errorf("the statement returned %d columns, described %d", len(cols), len(oids))
			}
			return nil
		}, func(vals []any) error {
			row := encodeRow(vals, oids, p.formats)
			if row.err != nil {
				return row.err
			}
			msg := &pgproto3.DataRow{Values: row.values}
			if keep {
				// encoded once: sent from the kept bytes
				start := len(kept)
				var err error
				if kept, err = msg.Encode(kept); err != nil {
					return err
				}
				s.be.Send(rawMessages(kept[start:]))
				if len(kept) > maxKeptRows {
					keep, kept = false, nil
				}
			} else {
				s.be.Send(msg)
			}
			n++
			if n%flushEvery == 0 {
				return s.be.Flush()
			}
			return nil
		})
		truncated, max = res.Truncated(), res.MaxRows()
		if err == nil && keep {
			res.KeepEncoded(format, kept)
		}
		return err
	})
	done()
	if err != nil {
		s.fail(err)
		return
	}
	if truncated {
		s.be.Send(rowLimitNotice(max))
	}
	s.be.Send(&pgproto3.CommandComplete{CommandTag: fmt.Appendf(nil, "SELECT %d", n)})
}

// runPortal runs a portal's statement once and keeps its columns and rows
// (bounded by the engine's row limit) for the Executes that follow.
func (s *session) runPortal(ctx context.Context, p *portal) error {
	var oids []uint32
	rctx, done := s.begin(ctx)
	defer done()
	err := s.srv.deps.Engine.Run(rctx, s.query(p.stmt.sql, p.args, "sql"), func(res *engine.Result) error {
		err := res.Scan(func(cols []engine.ResultColumn) error {
			p.cols = append([]engine.ResultColumn(nil), cols...)
			oids = make([]uint32, len(cols))
			for i, c := range cols {
				oids[i], _ = pgType(c.Type)
			}
			return nil
		}, func(vals []any) error {
			row := encodeRow(vals, oids, p.formats)
			if row.err != nil {
				return row.err
			}
			p.rows = append(p.rows, row.values)
			return nil
		})
		p.truncated, p.max = res.Truncated(), res.MaxRows()
		return err
	})
	if err != nil {
		return err
	}
	p.done = true
	return nil
}

// executeSome answers an Execute with a row count: the statement runs once,
// its rows (bounded by the engine's row limit) are kept in the portal and
// handed out maxRows at a time.
func (s *session) executeSome(ctx context.Context, p *portal, maxRows int) {
	if !p.done {
		if err := s.runPortal(ctx, p); err != nil {
			s.fail(err)
			return
		}
	}
	for i := 0; (maxRows <= 0 || i < maxRows) && len(p.rows) > 0; i++ {
		s.be.Send(&pgproto3.DataRow{Values: p.rows[0]})
		p.rows = p.rows[1:]
		p.n++
		if p.n%flushEvery == 0 {
			if err := s.be.Flush(); err != nil {
				s.fail(err)
				return
			}
		}
	}
	if len(p.rows) > 0 {
		s.be.Send(&pgproto3.PortalSuspended{})
		return
	}
	if p.truncated {
		s.be.Send(rowLimitNotice(p.max))
	}
	s.be.Send(&pgproto3.CommandComplete{CommandTag: fmt.Appendf(nil, "SELECT %d", p.n)})
}

// maxKeptRows bounds the DataRow messages of one answer kept beside it in
// the result cache (which has its own bound per entry as well).
const maxKeptRows = 4 << 20

// rowsFormat names an answer's encoding as DataRow messages: the wire types
// of its columns and the format codes the client asked for.
func rowsFormat(oids []uint32, formats []int16) string {
	b := []byte("pgwire")
	for i, oid := range oids {
		b = fmt.Appendf(b, ":%d/%d", oid, formatOf(formats, i))
	}
	return string(b)
}

// rawMessages are backend messages encoded before (a cached answer's
// DataRows), sent as they are.
type rawMessages []byte

func (m rawMessages) Decode([]byte) error { return fmt.Errorf("rawMessages are only sent") }

func (m rawMessages) Encode(dst []byte) ([]byte, error) { return append(dst, m...), nil }

func (rawMessages) Backend() {}
