// Package units is the connector of the reference data built into Kho: Sơn
// La's administrative units with their validity dates and the succession of
// the reform of 01/07/2025 (see schemas/units for the seed files).
package units

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/schemas/units"
)

func init() {
	connectors.Register(connectors.Spec{
		Name:      "admin_units",
		Summary:   "Sơn La's administrative units and their 2025 succession, built into Kho",
		NewConfig: func() connectors.Config { return &Config{Record: "units"} },
	})
}

// Config chooses the record.
type Config struct {
	// Record is units (every unit with its validity) or succession.
	Record string `yaml:"record"`
}

// Validate checks the record.
func (c *Config) Validate() error {
	if c.Record != "units" && c.Record != "succession" {
		return fmt.Errorf("source.record: %q must be units or succession", c.Record)
	}
	return nil
}

const source = "kho:reference/admin_units"

// Open streams the embedded reference.
func (c *Config) Open(ctx context.Context, env connectors.Env) (connectors.Source, error) {
	set, err := units.Load()
	if err != nil {
		return nil, err
	}
	day := func(t time.Time) *string {
		if t.IsZero() {
			return nil
		}
		s := t.Format("2006-01-02")
		return &s
	}
	str := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	var (
		cols []string
		rows [][]*string
	)
	switch c.Record {
	case "units":
		cols = []string{"unit_id", "code", "name", "name_en", "unit_type", "level", "parent_code", "valid_from", "valid_to"}
		for _, u := range set.Units {
			from := "-"
			if !u.ValidFrom.IsZero() {
				from = u.ValidFrom.Format("2006-01-02")
			}
			rows = append(rows, []*string{str(u.Code + "@" + from), str(u.Code), str(u.Name), str(u.NameEN), str(u.Type), str(u.Level),
				str(u.ParentCode), day(u.ValidFrom), day(u.ValidTo)})
		}
	case "succession":
		cols = []string{"old_code", "old_name", "old_district", "new_code", "new_name", "share", "basis", "effective_date"}
		for _, x := range set.Succession {
			rows = append(rows, []*string{str(x.OldCode), str(x.OldName), str(x.OldDistrict), str(x.NewCode),
				str(x.NewName), str(fmt.Sprint(x.Share)), str(x.Basis), day(x.Effective)})
		}
	default:
		return nil, errors.New("source.record: unknown record")
	}
	return &src{b: connectors.NewTextBatcher(env.Allocator(), cols), rows: rows, size: env.Rows()}, nil
}

type src struct {
	b    *connectors.TextBatcher
	rows [][]*string
	i    int
	size int
}

func (s *src) Schema() *arrow.Schema { return s.b.Schema() }

func (s *src) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for s.i < len(s.rows) && s.b.Len() < s.size {
		s.b.Append(s.rows[s.i], source, int64(s.i+1))
		s.i++
	}
	if rec := s.b.Flush(); rec != nil {
		return rec, nil
	}
	return nil, io.EOF
}

func (s *src) Close() error { s.b.Release(); return nil }
