package schemas

import (
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/schemas/units"
)

const personsYAML = `
dataset: labour.persons
label: Người
owner: Sở Nội vụ
classification: restricted
key: [person_id]
columns:
  - {name: person_id, label: Mã, type: string, required: true}
  - {name: citizen_id, label: Số CCCD, type: string, pii: cccd, pattern: '^\d{12}$', unique: true}
  - {name: phone, label: Điện thoại, type: string, pii: phone, values: ["0912345678"]}
  - {name: birth_year, label: Năm sinh, type: int, pii: birth_date, min: 1950, max: 2012}
  - {name: birth_date, label: Ngày sinh, type: date, pii: birth_date}
  - {name: email, label: Thư, type: string, pii: email, references: reference.agencies.agency_code}
  - {name: joined, label: Ngày vào, type: date}
  - {name: commune_code, label: Xã, type: admin_unit, admin_unit: {date_column: joined}}
  - {name: note, label: Ghi chú, type: string, pii: name}
checks:
  - name: born_before_joining
    assert: birth_date is null or joined is null or birth_date < joined
`

// TestReasonsHoldNoValue: a value that breaks a rule of a column (a CCCD with
// a stray letter, a year out of range, a date that is not one, an email not in
// the list, a duplicate, a commune that does not exist, a failed check) is
// quarantined with a reason that names the column, the rule and the expected
// form, never the value: the reasons are read by tokens without the PII grant
// (issue 12 item 3). The value is in Raw, which the serving views mask like
// its column.
func TestReasonsHoldNoValue(t *testing.T) {
	cols := []string{"person_id", "citizen_id", "phone", "birth_year", "birth_date", "email", "joined", "commune_code", "note"}
	ok := []string{"P0", "014177940110", "0912345678", "1980", "1980-01-02", "000.00.04.H56", "2020-01-01", "04129", "Lò Văn Thuý"}
	row := func(id string, col, v string) []string {
		r := append([]string(nil), ok...)
		r[0] = id
		for i, c := range cols {
			if c == col {
				r[i] = v
			}
		}
		return r
	}
	planted := map[string]string{ // record key -> the value planted
		"P1": "014177940119X",    // pattern
		"P2": "0987654321",       // values
		"P3": "1877",             // min
		"P4": "31/02/1981x",      // type date
		"P5": "hoa.lo@mail.vn",   // references
		"P7": "Xã Không Có Thật", // admin_unit
	}
	rows := [][]string{
		ok,
		row("P1", "citizen_id", planted["P1"]),
		row("P2", "phone", planted["P2"]),
		row("P3", "birth_year", planted["P3"]),
		row("P4", "birth_date", planted["P4"]),
		row("P5", "email", planted["P5"]),
		row("P6", "citizen_id", ok[1]), // duplicate of P0's CCCD
		row("P7", "commune_code", planted["P7"]),
		row("P8", "birth_date", "2024-05-06"),      // born after joining: the check
		row("P0", "note", "Cầm Thị Duplicate Key"), // duplicate key
	}
	lookup := func(string, string) (map[string]bool, error) { return map[string]bool{"000.00.04.H56": true}, nil }
	_, _, bad := conformRows(t, personsYAML, cols, rows, ConformOptions{Lookup: lookup, Today: time.Now()})
	values := []string{ok[1], "014177940119", "1877", "1981", "2024-05-06", "hoa.lo", "0987654321", "Không Có Thật", "Duplicate"}
	for _, v := range planted {
		values = append(values, v)
	}
	rules := map[string]string{}
	for _, b := range bad {
		rules[b.Key] = b.Column + ":" + b.Rule
		for _, v := range values {
			assert.NotContains(t, b.ReasonVI, v, "%s %s: reason_vi quotes a value", b.Key, b.Rule)
			assert.NotContains(t, b.ReasonEN, v, "%s %s: reason_en quotes a value", b.Key, b.Rule)
		}
		assert.Contains(t, b.ReasonEN, strings.Split(b.Column, ",")[0], "%s: the reason names the column", b.Key)
		if p, ok := planted[b.Key]; ok {
			assert.Equal(t, p, b.Raw, "%s: the value is in raw_value", b.Key)
		}
	}
	assert.Equal(t, map[string]string{"P1": "citizen_id:pattern", "P2": "phone:values", "P3": "birth_year:min", "P4": "birth_date:type",
		"P5": "email:references", "P6": "citizen_id:unique", "P7": "commune_code:admin_unit", "P8": "joined:born_before_joining",
		"P0": "person_id:unique"}, rules)
	for _, b := range bad {
		switch b.Key {
		case "P1":
			assert.Contains(t, b.ReasonEN, `does not match ^\d{12}$`, "the expected form")
		case "P4":
			assert.Contains(t, b.ReasonEN, "not a date", "the expected form")
		case "P8":
			assert.Equal(t, "joined=2020-01-01", b.Raw, "a check's raw_value holds its columns that are not personal data")
		}
	}
}

// TestReadReasonHoldsNoValue: a reader's message about a bad row (here a CSV
// field count with the extra fields quoted) loses its values in the reason
// and keeps them in Raw; quoted column names stay.
func TestReadReasonHoldsNoValue(t *testing.T) {
	ds, err := Parse("test.yaml", []byte(personsYAML))
	require.NoError(t, err)
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	tb := connectors.NewTextBatcher(alloc, []string{"person_id", "citizen_id"})
	defer tb.Release()
	id, cccd := "P1", "014177940119"
	tb.AppendBad([]*string{&id, &cccd}, "drop.csv", 3,
		`line 3: 3 fields, header has 2 (extra: "Nguyễn Văn An"); column 2 "citizen_id": value 014177940119 is odd`)
	in := tb.Flush()
	defer in.Release()
	c, err := NewConformer(ds, in.Schema(), nil, ConformOptions{Alloc: alloc, Units: units.MustLoad()})
	require.NoError(t, err)
	out, bad, err := c.Conform(in)
	require.NoError(t, err)
	if out != nil {
		out.Release()
	}
	require.Len(t, bad, 1)
	for _, r := range []string{bad[0].ReasonEN, bad[0].ReasonVI} {
		assert.NotContains(t, r, "Nguyễn")
		assert.NotContains(t, r, cccd)
		assert.Contains(t, r, `column 2 "citizen_id"`)
		assert.Contains(t, r, "header has 2")
	}
	assert.Contains(t, bad[0].Raw, "Nguyễn Văn An")
}
