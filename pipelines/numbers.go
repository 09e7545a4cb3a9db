package pipelines

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/sonla-data/kho/schemas"
)

// holdbackRows bounds the rows a run holds back to decide a file's number
// formats from all its values (schemas.Holdback): a file longer than that is
// decided from its first holdbackRows rows. About 16 MB of text at 30
// columns of 8 bytes.
const holdbackRows = 1 << 16

// numberFormat reads one decimal and grouping setting; path names it in errors.
func numberFormat(decimal, grouping, path string) (schemas.NumberFormat, error) {
	var f schemas.NumberFormat
	switch decimal {
	case ",", ".":
		f.Decimal = decimal[0]
	default:
		return f, fmt.Errorf(`%s.decimal %q must be "," or "."`, path, decimal)
	}
	switch grouping {
	case "":
		f.Grouping = map[byte]byte{',': '.', '.': ','}[f.Decimal]
	case ".", ",", " ":
		f.Grouping = grouping[0]
	case "space":
		f.Grouping = ' '
	case "none":
		f.Grouping = 0
	default:
		return f, fmt.Errorf(`%s.grouping %q must be ".", ",", " " (or space) or none`, path, grouping)
	}
	if f.Grouping == f.Decimal {
		return f, fmt.Errorf(`%s: grouping %q is the decimal mark`, path, grouping)
	}
	return f, nil
}

// formats turns number_format into the conform step's formats,
// returning every problem, each with its YAML path.
func (n *NumberFormat) formats() (schemas.NumberFormats, []pathError) {
	var out schemas.NumberFormats
	var errs []pathError
	if n == nil {
		return out, nil
	}
	if n.Decimal != "" || n.Grouping != "" {
		f, err := numberFormat(n.Decimal, n.Grouping, "number_format")
		if err != nil {
			errs = append(errs, pathError{[]any{"number_format"}, err})
		} else {
			out.Default = &f
		}
	} else if len(n.Columns) == 0 {
		errs = append(errs, pathError{[]any{"number_format"}, fmt.Errorf(`number_format needs decimal ("," or ".") or columns`)})
	}
	for col, c := range n.Columns {
		f, err := numberFormat(c.Decimal, c.Grouping, "number_format.columns."+col)
		if err != nil {
			errs = append(errs, pathError{[]any{"number_format", "columns", col}, err})
			continue
		}
		if out.Columns == nil {
			out.Columns = map[string]schemas.NumberFormat{}
		}
		out.Columns[col] = f
	}
	return out, errs
}

// NumberFormats are the number formats the pipeline sets (after Validate).
func (p *Pipeline) NumberFormats() schemas.NumberFormats {
	f, _ := p.NumberFormat.formats()
	return f
}

// checkColumns reports the number_format columns the source does not have.
func (n *NumberFormat) checkColumns(sc *arrow.Schema) error {
	if n == nil {
		return nil
	}
	for col := range n.Columns {
		if !sc.HasField(col) {
			return fmt.Errorf("number_format.columns: the source has no column %q", col)
		}
	}
	return nil
}

// pathError is a problem at a YAML path.
type pathError struct {
	path []any
	err  error
}
