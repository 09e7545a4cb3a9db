package schemas

import (
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
)

const numbersYAML = `
dataset: agriculture.numbers
label: Số liệu
owner: Sở Nông nghiệp và Môi trường
classification: open
key: [id]
columns:
  - {name: id, label: Mã, type: string, required: true}
  - {name: area, label: Diện tích, type: float}
  - {name: people, label: Số người, type: int}
  - {name: price, label: Đơn giá, type: "decimal(12,3)"}
`

// numRow is a row of the test drop: file, id, area, people, price.
type numRow [5]string

// conformNumbers conforms rows in batches of batch rows, through a Holdback
// of holdLimit rows (0: Conform batch by batch), and returns the good values
// by id and the bad rows by id.
func conformNumbers(t *testing.T, rows []numRow, batch, holdLimit int, formats NumberFormats) (map[string][3]string, map[string]Bad) {
	t.Helper()
	ds, err := Parse("numbers.yaml", []byte(numbersYAML))
	require.NoError(t, err)
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	tb := connectors.NewTextBatcher(alloc, []string{"id", "area", "people", "price"})
	defer tb.Release()
	var ins []arrow.RecordBatch
	for i, r := range rows {
		vals := make([]*string, 4)
		for k := range vals {
			if s := r[k+1]; s != "" {
				vals[k] = &s
			}
		}
		tb.Append(vals, r[0], int64(i+2))
		if tb.Len() == batch {
			ins = append(ins, tb.Flush())
		}
	}
	if b := tb.Flush(); b != nil {
		ins = append(ins, b)
	}
	c, err := NewConformer(ds, ins[0].Schema(), nil, ConformOptions{Alloc: alloc, Numbers: formats})
	require.NoError(t, err)
	good, bad := map[string][3]string{}, map[string]Bad{}
	conform := func(in arrow.RecordBatch) {
		out, bs, err := c.Conform(in)
		in.Release()
		require.NoError(t, err)
		for _, b := range bs {
			bad[b.Key] = b
		}
		if out == nil {
			return
		}
		defer out.Release()
		for r := 0; r < int(out.NumRows()); r++ {
			good[out.Column(0).(*array.String).Value(r)] = [3]string{out.Column(1).ValueStr(r), out.Column(2).ValueStr(r), out.Column(3).ValueStr(r)}
		}
	}
	if holdLimit == 0 {
		for _, in := range ins {
			conform(in)
		}
	} else {
		h := c.Holdback(holdLimit)
		for _, in := range ins {
			for _, b := range h.Add(in) {
				conform(b)
			}
		}
		for _, b := range h.Flush() {
			conform(b)
		}
		h.Release()
	}
	st := c.Stats()
	require.Equal(t, st.Read, st.Written+st.Quarantined)
	require.EqualValues(t, len(rows), st.Read)
	return good, bad
}

// TestNumberFormatPerFile is issue 12 item 14: in a drop whose numbers use
// decimal commas ("2.317,9"), "1,234" is 1.234, never 1234; the marks are
// decided per file and column from all its values; a value that is
// ambiguous or contradicts the decision is quarantined with a reason that
// names the column, the rule and the expected form, never the value.
func TestNumberFormatPerFile(t *testing.T) {
	rows := []numRow{
		// vi.csv: decimal commas. The ambiguous "1,234" comes first, in a
		// batch of its own, before any value that shows the convention.
		{"vi.csv", "v1", "1,234", "12", ""},
		{"vi.csv", "v2", "2.317,9", "12", "2.317,905"},
		{"vi.csv", "v3", "12,5", "1.234.567", "7"},
		{"vi.csv", "v4", "1,234.5", "3", "1"}, // the other convention: quarantined
		// en.csv: decimal points.
		{"en.csv", "e1", "1,234", "1,234", "1.5"},
		{"en.csv", "e2", "2,317.9", "12", "0.25"},
		{"en.csv", "e3", "12,5", "1", "1"}, // "12,5" reads only with a decimal comma: quarantined here
		{"en.csv", "e4", "3.75", "2", ""},
		// amb.csv: nothing shows the decimal mark: the float's "1.234" is
		// ambiguous.
		{"amb.csv", "a1", "1.234", "7", ""},
		{"amb.csv", "a2", "15", "2", ""},
		// grp.csv: the whole numbers are grouped with dots ("2.500" can only
		// be a whole number that way): the file's decimals are commas.
		{"grp.csv", "g1", "1.234", "1.234", ""},
		{"grp.csv", "g2", "15", "2.500", ""},
		// mix.csv: as many decimal commas as decimal points.
		{"mix.csv", "m1", "1,5", "1", ""},
		{"mix.csv", "m2", "1.5", "2", ""},
		{"mix.csv", "m3", "7", "3", ""},
	}
	good, bad := conformNumbers(t, rows, 1, 1000, NumberFormats{})
	assert.Equal(t, map[string][3]string{
		"v1": {"1.234", "12", "(null)"},
		"v2": {"2317.9", "12", "2317.905"},
		"v3": {"12.5", "1234567", "7"},
		"e1": {"1234", "1234", "1.5"},
		"e2": {"2317.9", "12", "0.25"},
		"e4": {"3.75", "2", "(null)"},
		"a2": {"15", "2", "(null)"},
		"g1": {"1234", "1234", "(null)"},
		"g2": {"15", "2500", "(null)"},
		"m3": {"7", "3", "(null)"},
	}, good)
	require.Len(t, bad, 5)
	for id, form := range map[string]string{"v4": "decimal comma, dot grouping: 1.234,5", "e3": "decimal point, comma grouping: 1,234.5"} {
		b := bad[id]
		assert.Equal(t, "number_format", b.Rule, id)
		assert.Equal(t, "area", b.Column, id)
		assert.Contains(t, b.ReasonEN, form, id)
	}
	assert.Contains(t, bad["a1"].ReasonEN, "ambiguous number")
	assert.Contains(t, bad["m1"].ReasonEN, "as often as")
	assert.Contains(t, bad["m2"].ReasonEN, "as often as")
	for id, b := range bad {
		assert.NotContains(t, b.ReasonEN+b.ReasonVI, b.Raw, "%s: the value is in raw_value only", id)
		assert.NotEmpty(t, b.Raw, id)
		assert.Contains(t, b.ReasonVI, "Cột area (Diện tích)", id)
	}

	// Batch by batch (Conform), a file is decided at its first batch: the
	// ambiguous "1,234" of vi.csv, alone in it, is quarantined rather than
	// guessed; the rest is the same.
	good, bad = conformNumbers(t, rows, 1, 0, NumberFormats{})
	assert.Contains(t, bad, "v1")
	assert.Equal(t, "number_format", bad["v1"].Rule)
	assert.Equal(t, [3]string{"2317.9", "12", "2317.905"}, good["v2"])

	// A Holdback smaller than a file decides it from its first rows: by
	// its first row alone, vi.csv shows no decimal mark for area.
	good, bad = conformNumbers(t, rows, 1, 1, NumberFormats{})
	assert.Equal(t, "number_format", bad["v1"].Rule)
	assert.Contains(t, bad["v1"].ReasonEN, "ambiguous number")
	assert.Equal(t, [3]string{"12.5", "1234567", "7"}, good["v3"])
}

// TestNumberFormatSet: a pipeline's number_format decides, for the whole
// source or a column; values not in the set form are quarantined.
func TestNumberFormatSet(t *testing.T) {
	rows := []numRow{
		{"a.csv", "r1", "1,234", "1.234", "1,234"},
		{"a.csv", "r2", "12.5", "2", "3"}, // area: a decimal point in a decimal-comma source
		{"a.csv", "r3", "1 234,5", "7", "2.5"},
	}
	good, bad := conformNumbers(t, rows, 10, 1000, NumberFormats{
		Default: &NumberFormat{Decimal: ',', Grouping: '.'},
		Columns: map[string]NumberFormat{"price": {Decimal: '.', Grouping: ','}},
	})
	assert.Equal(t, map[string][3]string{
		"r1": {"1.234", "1234", "1234"},
		"r3": {"1234.5", "7", "2.5"},
	}, good)
	require.Contains(t, bad, "r2")
	assert.Equal(t, "number_format", bad["r2"].Rule)
	assert.Contains(t, bad["r2"].ReasonEN, "set by the pipeline's number_format (decimal comma, dot grouping: 1.234,5)")
}

func TestReadNumber(t *testing.T) {
	for _, c := range []struct {
		in         string
		comma, pnt string // "" for not readable
	}{
		{"1234", "1234", "1234"},
		{"-1.234,5", "-1234.5", ""},
		{"1,234.5", "", "1234.5"},
		{"1,234", "1.234", "1234"},
		{"0,123", "0.123", ""},
		{"1.2.3", "", ""},
		{"12,", "", ""},
		{",5", "0.5", ""},
		{"1 234,5", "1234.5", ""},
		{"1\u00a0234.5", "", "1234.5"},
		{"1234.567,8", "", ""},
		{"khoảng 20", "khoảng 20", "khoảng 20"},
	} {
		got, ok := readNumber(c.in, commaDecimal)
		if !ok {
			got = ""
		}
		assert.Equal(t, c.comma, got, "%q with a decimal comma", c.in)
		got, ok = readNumber(c.in, pointDecimal)
		if !ok {
			got = ""
		}
		assert.Equal(t, c.pnt, got, "%q with a decimal point", c.in)
	}
}

// FuzzReadNumber: whatever a drop holds, a value read in a format is Go
// syntax that strconv reads (or the value as it was, for strconv to judge),
// and a value's shape agrees with what each convention reads.
func FuzzReadNumber(f *testing.F) {
	for _, s := range []string{"1.234,5", "1,234.5", "1,234", "-0,5", "12,", ",5", "1 234", "1.2.3", "+1.234.567,89", "liên hệ", "", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, nf := range []NumberFormat{commaDecimal, pointDecimal, {Decimal: ',', Grouping: ' '}, {Decimal: '.'}} {
			n, ok := readNumber(s, nf)
			if !ok || n == s {
				continue
			}
			if _, err := strconv.ParseFloat(n, 64); err != nil {
				t.Fatalf("%q in %c%c read as %q, which strconv does not read: %v", s, nf.Decimal, nf.Grouping, n, err)
			}
		}
		_, c := readNumber(s, commaDecimal)
		_, p := readNumber(s, pointDecimal)
		switch shapeOf(s) {
		case shapeComma:
			require.True(t, c && !p, "%q", s)
		case shapePoint:
			require.True(t, p && !c, "%q", s)
		case shapeEither:
			require.True(t, p && c, "%q", s)
		}
	})
}
