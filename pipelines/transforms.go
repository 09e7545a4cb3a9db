package pipelines

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// A transform cleans a source text value before the conform step. Transforms
// are named in a pipeline's `transforms:` per source column, applied in order:
//
//	trim, upper, lower, digits (keep digits only), collapse_spaces,
//	pad_left:N (left-pad with zeros to N characters, for codes that lost
//	their leading zero), strip_prefix:TEXT, null_if:VALUE, default:VALUE,
//	replace:OLD=>NEW
type transform func(s string, null bool) (string, bool)

func parseTransform(spec string) (transform, error) {
	name, arg, hasArg := strings.Cut(spec, ":")
	need := func() error {
		if !hasArg {
			return fmt.Errorf("transform %s needs an argument (%s:…)", name, name)
		}
		return nil
	}
	switch name {
	case "trim":
		return func(s string, null bool) (string, bool) { return strings.TrimSpace(s), null }, nil
	case "upper":
		return func(s string, null bool) (string, bool) { return strings.ToUpper(s), null }, nil
	case "lower":
		return func(s string, null bool) (string, bool) { return strings.ToLower(s), null }, nil
	case "collapse_spaces":
		return func(s string, null bool) (string, bool) { return strings.Join(strings.Fields(s), " "), null }, nil
	case "digits":
		return func(s string, null bool) (string, bool) {
			return strings.Map(func(r rune) rune {
				if unicode.IsDigit(r) {
					return r
				}
				return -1
			}, s), null
		}, nil
	case "pad_left":
		if err := need(); err != nil {
			return nil, err
		}
		n, err := strconv.Atoi(arg)
		if err != nil || n < 1 || n > 64 {
			return nil, fmt.Errorf("pad_left:%s: the width must be 1..64", arg)
		}
		return func(s string, null bool) (string, bool) {
			if null || s == "" || len(s) >= n {
				return s, null
			}
			return strings.Repeat("0", n-len(s)) + s, null
		}, nil
	case "strip_prefix":
		if err := need(); err != nil {
			return nil, err
		}
		return func(s string, null bool) (string, bool) { return strings.TrimPrefix(s, arg), null }, nil
	case "null_if":
		if err := need(); err != nil {
			return nil, err
		}
		return func(s string, null bool) (string, bool) { return s, null || s == arg }, nil
	case "default":
		if err := need(); err != nil {
			return nil, err
		}
		return func(s string, null bool) (string, bool) {
			if null || s == "" {
				return arg, false
			}
			return s, null
		}, nil
	case "replace":
		old, repl, ok := strings.Cut(arg, "=>")
		if !hasArg || !ok {
			return nil, fmt.Errorf("replace needs OLD=>NEW")
		}
		return func(s string, null bool) (string, bool) { return strings.ReplaceAll(s, old, repl), null }, nil
	}
	return nil, fmt.Errorf("unknown transform %q (trim, upper, lower, digits, collapse_spaces, pad_left:N, strip_prefix:T, null_if:V, default:V, replace:A=>B)", name)
}

// transformer applies a pipeline's transforms to the text columns of batches.
type transformer struct {
	byColumn map[string][]transform
}

func newTransformer(spec map[string][]string) (*transformer, error) {
	t := &transformer{byColumn: map[string][]transform{}}
	var errs []string
	for col, specs := range spec {
		for _, s := range specs {
			f, err := parseTransform(s)
			if err != nil {
				errs = append(errs, fmt.Sprintf("transforms.%s: %v", col, err))
				continue
			}
			t.byColumn[col] = append(t.byColumn[col], f)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return t, nil
}

// check reports transformed columns the source does not have or that are
// not text.
func (t *transformer) check(sc *arrow.Schema) error {
	for col := range t.byColumn {
		idx := sc.FieldIndices(col)
		if len(idx) == 0 {
			return fmt.Errorf("transforms: the source has no column %q", col)
		}
		if sc.Field(idx[0]).Type.ID() != arrow.STRING {
			return fmt.Errorf("transforms: column %q is %s, transforms apply to text columns", col, sc.Field(idx[0]).Type)
		}
	}
	return nil
}

// apply returns the batch with its transformed columns rebuilt; the caller
// releases both the input and the output (the output may be the input,
// retained).
func (t *transformer) apply(alloc memory.Allocator, b arrow.RecordBatch) (arrow.RecordBatch, error) {
	if len(t.byColumn) == 0 {
		b.Retain()
		return b, nil
	}
	cols := make([]arrow.Array, b.NumCols())
	var fresh []arrow.Array
	for i := range cols {
		cols[i] = b.Column(i)
		fs, ok := t.byColumn[b.ColumnName(i)]
		if !ok {
			continue
		}
		in := b.Column(i).(*array.String)
		sb := array.NewStringBuilder(alloc)
		for r := 0; r < in.Len(); r++ {
			s, null := in.Value(r), in.IsNull(r)
			for _, f := range fs {
				s, null = f(s, null)
			}
			if null {
				sb.AppendNull()
			} else {
				sb.Append(s)
			}
		}
		arr := sb.NewArray()
		sb.Release()
		cols[i] = arr
		fresh = append(fresh, arr)
	}
	out := array.NewRecordBatch(b.Schema(), cols, b.NumRows())
	for _, a := range fresh {
		a.Release()
	}
	return out, nil
}
