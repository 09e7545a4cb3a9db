package schemas

import (
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/schemas/units"
)

const rulesYAML = `
dataset: industry_trade.markets
label: Chợ
owner: Sở Công Thương
classification: open
key: [market_id]
columns:
  - {name: market_id, label: Mã chợ, type: string, required: true}
  - {name: market_name, label: Tên chợ, type: string, required: true, whitespace: collapse}
  - {name: manager, label: Ban quản lý, type: string, case: title}
  - {name: code_as_typed, label: Mã nhập, type: string, tones: keep, legacy: keep, whitespace: keep}
  - {name: agency_code, label: Cơ quan, type: string, references: reference.agencies.agency_code}
  - {name: stalls, label: Số sạp, type: int, min: 0, max: 500, severity: {max: warn}}
  - {name: rank, label: Hạng, type: int, values: ["1", "2", "3"], severity: {values: warn}}
  - {name: area_m2, label: Diện tích, type: "decimal(10,1)", required: true, severity: {required: warn}}
  - {name: district, label: Huyện, type: string}
  - name: commune_code
    label: Xã
    type: admin_unit
    admin_unit: {date_column: opened_on, district_column: district}
  - {name: opened_on, label: Ngày hoạt động, type: date}
  - {name: contact, label: Liên hệ, type: string}
checks:
  - name: stalls_fit
    assert: stalls is null or area_m2 is null or stalls * 4 <= area_m2
    message: Số sạp vượt diện tích chợ
    message_en: more stalls than the area holds
  - name: opened_recently
    assert: year(opened_on) >= 2000
    severity: warn
`

func conformRows(t *testing.T, yamlText string, cols []string, rows [][]string, opt ConformOptions) (*Conformer, map[string][]string, []Bad) {
	t.Helper()
	ds, err := Parse("test.yaml", []byte(yamlText))
	require.NoError(t, err)
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { alloc.AssertSize(t, 0) })
	tb := connectors.NewTextBatcher(alloc, cols)
	defer tb.Release()
	for i, r := range rows {
		tb.AppendStrings(r, "drop.csv", int64(i+2))
	}
	in := tb.Flush()
	defer in.Release()
	opt.Alloc = alloc
	if opt.Units == nil {
		opt.Units = units.MustLoad()
	}
	c, err := NewConformer(ds, in.Schema(), nil, opt)
	require.NoError(t, err)
	out, bad, err := c.Conform(in)
	require.NoError(t, err)
	got := map[string][]string{}
	if out != nil {
		defer out.Release()
		for i, f := range out.Schema().Fields() {
			for r := 0; r < int(out.NumRows()); r++ {
				col := out.Column(i)
				v := ""
				if col.IsValid(r) {
					v = col.ValueStr(r)
				}
				got[f.Name] = append(got[f.Name], v)
			}
		}
	}
	return c, got, bad
}

func TestConformRulesAndText(t *testing.T) {
	cols := []string{"market_id", "market_name", "manager", "code_as_typed", "agency_code", "stalls", "rank", "area_m2", "district", "commune_code", "opened_on", "contact"}
	rows := [][]string{
		// good; old tone placement, NFD, double spaces, TCVN3 manager, district column tells Chiềng Chung apart
		{"M1", norm.NFD.String("  Chợ  Hòa   Bình "), "ban quản lý chợ", " Hòa ", "000.00.04.H56", "10", "1", "100", "Mai Sơn", "Chiềng Chung", "2025-03-01", "0912345678"},
		{"M2", "Chî Trung t©m", "lò văn thúy", "x", "000.00.04.H56", "600", "4", "", "", "Xã Chiềng Hặc", "1999-06-01", "0987654321"}, // warns: max, values, required, opened_recently
		{"M3", "Chợ", "", "", "000.00.99.H56", "1", "1", "5", "", "04078", "2025-01-01", "không có"},                                  // unknown agency
		{"M4", "Chợ", "", "", "", "40", "1", "100", "", "04078", "2025-01-01", "0355555555"},                                          // stalls do not fit
		{"M5", "Chợ", "", "", "", "1", "1", "100", "Sông Mã", "Chiềng Chung", "2025-03-01", "0355555556"},                             // wrong district
	}
	lookups := 0
	lookup := func(ds, col string) (map[string]bool, error) {
		lookups++
		assert.Equal(t, "reference.agencies", ds)
		assert.Equal(t, "agency_code", col)
		return map[string]bool{"000.00.04.H56": true}, nil
	}
	c, got, bad := conformRows(t, rulesYAML, cols, rows, ConformOptions{Lookup: lookup, Today: time.Now()})
	assert.Equal(t, 1, lookups, "references are loaded once")
	assert.Equal(t, []string{"M1", "M2"}, got["market_id"])
	assert.Equal(t, []string{"Chợ Hoà Bình", "Chợ Trung tâm"}, got["market_name"])
	assert.Equal(t, []string{"Ban Quản Lý Chợ", "Lò Văn Thuý"}, got["manager"])
	assert.Equal(t, []string{" Hòa ", "x"}, got["code_as_typed"])
	assert.Equal(t, []string{"04129", "04078"}, got["commune_code"])
	assert.Equal(t, "600", got["stalls"][1], "warned max keeps the value")
	assert.Equal(t, "", got["area_m2"][1], "warned required stays null")

	reasons := map[string]string{}
	for _, b := range bad {
		reasons[b.Key] = b.Column + ":" + b.Rule
	}
	assert.Equal(t, map[string]string{"M3": "agency_code:references", "M4": "stalls:stalls_fit", "M5": "commune_code:admin_unit"}, reasons)
	for _, b := range bad {
		if b.Key == "M4" {
			assert.Contains(t, b.ReasonVI, "Số sạp vượt diện tích chợ")
			assert.Contains(t, b.Raw, "stalls=40", "the values are in raw_value")
			assert.NotContains(t, b.ReasonEN, "40", "never in the reason")
		}
	}

	st := c.Stats()
	assert.EqualValues(t, 5, st.Read)
	assert.EqualValues(t, 2, st.Written)
	assert.Equal(t, map[string]int64{"agency_code:references": 1, "check:stalls_fit": 1, "commune_code:admin_unit": 1}, st.FailedRule)
	assert.Equal(t, map[string]int64{"stalls:max": 1, "rank:values": 1, "area_m2:required": 1, "check:opened_recently": 1}, st.Warned)
	assert.EqualValues(t, 1, st.Repaired["market_name:nfc"])
	assert.EqualValues(t, 1, st.Repaired["market_name:tone_placement"])
	assert.EqualValues(t, 1, st.Repaired["market_name:whitespace"])
	assert.EqualValues(t, 1, st.Repaired["market_name:legacy_tcvn3"])
	assert.EqualValues(t, 2, st.Repaired["manager:case"])
	assert.Zero(t, st.Repaired["code_as_typed:whitespace"])
	assert.EqualValues(t, 5, st.Checked["market_id:required"])
	assert.EqualValues(t, 3, st.Checked["agency_code:references"])
	assert.EqualValues(t, 2, st.Checked["market_id:unique"], "rows that reach the key check")
	assert.EqualValues(t, 3, st.Checked["check:stalls_fit"])
	// the contact column holds phone numbers and is not tagged
	require.Len(t, st.PII, 1)
	assert.Equal(t, "contact", st.PII[0].Column)
	assert.Equal(t, "phone", st.PII[0].Kind)
}

func TestConformReferencesWithoutTable(t *testing.T) {
	cols := []string{"market_id", "market_name", "agency_code", "area_m2"}
	rows := [][]string{{"M1", "Chợ", "anything", "1"}}
	for name, lookup := range map[string]func(string, string) (map[string]bool, error){
		"no lookup": nil,
		"no table":  func(string, string) (map[string]bool, error) { return nil, nil },
	} {
		t.Run(name, func(t *testing.T) {
			c, got, bad := conformRows(t, rulesYAML, cols, rows, ConformOptions{Lookup: lookup})
			assert.Empty(t, bad)
			assert.Equal(t, []string{"anything"}, got["agency_code"])
			assert.Contains(t, c.Stats().Skipped, "agency_code:references")
		})
	}
}

func TestSchemaValidationOfRules(t *testing.T) {
	base := strings.Split(rulesYAML, "checks:")[0]
	tests := []struct{ name, yaml, want string }{
		{"bad severity", strings.Replace(base, "severity: {max: warn}", "severity: {max: loud}", 1), "severity \"loud\" of max must be error or warn"},
		{"unknown rule", strings.Replace(base, "severity: {max: warn}", "severity: {maxi: warn}", 1), "severity of \"maxi\""},
		{"bad reference", strings.Replace(base, "reference.agencies.agency_code", "agencies", 1), "must be <domain>.<dataset>.<column>"},
		{"bad whitespace", strings.Replace(base, "whitespace: collapse", "whitespace: squash", 1), "whitespace \"squash\""},
		{"bad expression", base + "checks:\n  - {name: x, assert: \"stalls >\"}\n", "ends too early"},
		{"unknown column", base + "checks:\n  - {name: x, assert: \"stals > 1\"}\n", "\"stals\" is not a column"},
		{"bad district column", strings.Replace(base, "district_column: district", "district_column: stalls", 1), "district_column"},
		{"bad dataset check", base + "dataset_checks:\n  - {type: row_count_change}\n", "needs max_drop or max_growth"},
		{"unknown dataset check", base + "dataset_checks:\n  - {type: vibes}\n", "must be row_count_change, key_unique or min_rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("test.yaml", []byte(tt.yaml))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), "test.yaml:")
		})
	}
}

func TestCheckTable(t *testing.T) {
	y := strings.Split(rulesYAML, "checks:")[0] + `dataset_checks:
  - {name: no_collapse, type: row_count_change, max_drop: 0.5, max_growth: 2}
  - {type: key_unique}
  - {type: min_rows, min: 1, severity: warn}
`
	ds, err := Parse("test.yaml", []byte(y))
	require.NoError(t, err)
	tests := []struct {
		name  string
		facts TableFacts
		block []string
		warn  []string
	}{
		{"fine", TableFacts{RowsBefore: 100, RowsAfter: 120, KeysChecked: true}, nil, nil},
		{"first load", TableFacts{RowsBefore: 0, RowsAfter: 5000}, nil, nil},
		{"drop", TableFacts{RowsBefore: 100, RowsAfter: 40}, []string{"no_collapse"}, nil},
		{"growth", TableFacts{RowsBefore: 100, RowsAfter: 301}, []string{"no_collapse"}, nil},
		{"duplicates", TableFacts{RowsBefore: 100, RowsAfter: 100, KeysChecked: true, DuplicateKeys: 2, Duplicates: []string{"M1", "M2"}}, []string{"key_unique"}, nil},
		{"empty", TableFacts{RowsBefore: 0, RowsAfter: 0}, nil, []string{"min_rows"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			warns, err := ds.CheckTable(tt.facts)
			var names []string
			for _, w := range warns {
				names = append(names, w.Check)
			}
			assert.Equal(t, tt.warn, names)
			if tt.block == nil {
				assert.NoError(t, err)
				return
			}
			var de *DatasetCheckError
			require.ErrorAs(t, err, &de)
			var blocked []string
			for _, f := range de.Failures {
				blocked = append(blocked, f.Check)
			}
			assert.Equal(t, tt.block, blocked)
			assert.NotEmpty(t, de.ReasonVI())
		})
	}
}

func TestRulesList(t *testing.T) {
	ds, err := Parse("test.yaml", []byte(rulesYAML))
	require.NoError(t, err)
	var keys []string
	sev := map[string]string{}
	for _, r := range ds.Rules() {
		keys = append(keys, r.Key)
		sev[r.Key] = r.Severity
	}
	assert.Contains(t, keys, "market_id:required")
	assert.Contains(t, keys, "agency_code:references")
	assert.Contains(t, keys, "check:stalls_fit")
	assert.Contains(t, keys, "market_id:unique")
	assert.Equal(t, SeverityWarn, sev["stalls:max"])
	assert.Equal(t, SeverityWarn, sev["check:opened_recently"])
	assert.Equal(t, SeverityError, sev["stalls:min"])
	_ = array.String{}
}
