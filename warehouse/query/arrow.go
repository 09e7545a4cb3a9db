package query

import (
	"context"
	"database/sql/driver"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"
)

// ArrowQuery runs a query and hands its result, as Arrow batches, to fn. The
// reader is valid only inside fn. Time-travel views it names are created
// first (see Prepare).
func (e *Engine) ArrowQuery(ctx context.Context, query string, fn func(array.RecordReader) error) error {
	if err := e.Prepare(ctx, query); err != nil {
		return err
	}
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return fmt.Errorf("opening an Arrow connection: %w", err)
		}
		rdr, err := ar.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rdr.Release()
		return fn(rdr)
	})
}
