package excel

import (
	"bytes"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/sonla-data/kho/connectors"
)

func TestRegistered(t *testing.T) {
	spec, ok := connectors.Default.Lookup("excel")
	require.True(t, ok)
	assert.Equal(t, &Config{SkipTrailer: true}, spec.NewConfig())
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		errs []string
	}{
		{"minimal", "path: a.xlsx", nil},
		{"all keys", "path: a/*.xlsx\nsheets: [Sheet1]\nheader_row: 4\nskip_trailer: false\nrepair_legacy: true", nil},
		{"missing path", "header_row: 2", []string{"source.path: required"}},
		{"everything wrong", "path: '[x'\nsheets: ['']\nheader_row: -2", []string{
			"source.path: bad glob pattern", "source.sheets[0]: empty sheet name", "source.header_row: -2 is negative"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := NewConfig()
			dec := yaml.NewDecoder(bytes.NewReader([]byte(tt.yaml)))
			dec.KnownFields(true)
			require.NoError(t, dec.Decode(cfg))
			err := cfg.Validate()
			if tt.errs == nil {
				assert.NoError(t, err)
				return
			}
			for _, e := range tt.errs {
				assert.ErrorContains(t, err, e)
			}
		})
	}
}

func TestSample(t *testing.T) {
	b, err := os.ReadFile("sample.yaml")
	require.NoError(t, err)
	var p struct {
		Name   string         `yaml:"name"`
		Source map[string]any `yaml:"source"`
		Target map[string]any `yaml:"target"`
	}
	require.NoError(t, yaml.Unmarshal(b, &p))
	assert.Equal(t, "excel", p.Source["type"])
	assert.Equal(t, "culture_tourism.heritage_sites", p.Target["dataset"])
	delete(p.Source, "type")
	out, err := yaml.Marshal(p.Source)
	require.NoError(t, err)
	cfg := NewConfig()
	dec := yaml.NewDecoder(bytes.NewReader(out))
	dec.KnownFields(true)
	require.NoError(t, dec.Decode(cfg))
	assert.NoError(t, cfg.Validate())
}

func TestMissingSheet(t *testing.T) {
	dir := t.TempDir()
	writeCase(t, "trailer_rows", dir)
	cfg := NewConfig()
	cfg.Path, cfg.Sheets = "input.xlsx", []string{"Không có"}
	_, err := cfg.Open(t.Context(), connectors.Env{BaseDir: dir})
	assert.ErrorContains(t, err, `has no sheet "Không có" (it has "Sheet1")`)
}

func TestIsDateFormat(t *testing.T) {
	for code, want := range map[string]bool{
		"dd/mm/yyyy": true, "yyyy-mm-dd hh:mm": true, "[$-42A]dd/mm/yyyy": true, "h:mm AM/PM": true,
		"[h]:mm:ss": true, `#,##0 "ha"`: false, "0.00%": false, "#,##0.00": false, "General": false,
		`0 "ngày"`: false, "[Red]#,##0": false, `\d0`: false,
	} {
		assert.Equal(t, want, isDateFormat(code), code)
	}
	assert.True(t, isBuiltinDate(14))
	assert.False(t, isBuiltinDate(4))
}

func TestFindHeader(t *testing.T) {
	rows := []row{
		{num: 1, cells: []string{"UBND TỈNH SƠN LA"}},
		{num: 2, cells: []string{"", "DANH SÁCH"}},
		{num: 4, cells: []string{"STT", "Tên", "Mã", "Năm"}},
		{num: 5, cells: []string{"1", "Nhà tù", "04123", "2013"}},
	}
	assert.Equal(t, 2, findHeader(rows))
	assert.Equal(t, -1, findHeader(nil))
	// numbers only: the first wide row is taken
	assert.Equal(t, 0, findHeader([]row{{cells: []string{"1", "2"}}, {cells: []string{"3", "4"}}}))
}

func TestTrailer(t *testing.T) {
	for _, c := range []string{"Tổng cộng", "TỔNG CỘNG:", "Cộng", "tổng"} {
		assert.True(t, isTotal(row{cells: []string{"", c, "15"}}), c)
	}
	assert.False(t, isTotal(row{cells: []string{"Tổng đài 1022"}}))
	for _, c := range []string{"Người lập biểu", "GIÁM ĐỐC", "KT. GIÁM ĐỐC", "Thủ trưởng đơn vị", "Sơn La, ngày 08 tháng 10 năm 2024", "Sơn La, ngày ... tháng ... năm 2024"} {
		assert.True(t, isSignature(row{cells: []string{"", c}}), c)
	}
	assert.False(t, isSignature(row{cells: []string{"Giám đốc"}}), "a job title in a data cell")
	assert.False(t, isSignature(row{cells: []string{"1", "Nguyễn Văn A", "Người lập biểu", "x"}}), "a wide data row")
}
