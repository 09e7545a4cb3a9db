package query

import "context"

// Rows runs query and returns at most max of its rows, each value as the
// driver gives it: the dashboard's row reader (dashboard.Rows) over this
// engine, for `kho summary`, which judges the plan's targets with the
// dashboard's own code.
func (e *Engine) Rows(ctx context.Context, max int, query string, args ...any) ([][]any, error) {
	rows, err := e.DB().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out [][]any
	for rows.Next() && len(out) < max {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}
