package schemas_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"github.com/sonla-data/kho/connectors"
	csvsrc "github.com/sonla-data/kho/connectors/csv"
	"github.com/sonla-data/kho/internal/vnenc"
	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/schemas/units"
)

const dropYAML = `
dataset: labour.job_reports
label: Báo cáo
owner: Sở Nội vụ
classification: open
key: [report_id]
columns:
  - {name: report_id, label: Mã báo cáo, type: string, required: true}
  - name: commune_code
    label: Xã/Phường
    type: admin_unit
    required: true
    admin_unit: {date_column: report_date}
  - {name: report_date, label: Ngày báo cáo, type: date, required: true}
`

// tcvn3Of writes s in TCVN3 bytes (nil when a letter has no code).
func tcvn3Of(s string) []byte {
	code := map[rune]byte{}
	for b := 0x80; b <= 0xFF; b++ {
		r := []rune(vnenc.DecodeTCVN3([]byte{byte(b)}))[0]
		if _, ok := code[r]; !ok {
			code[r] = byte(b)
		}
	}
	var out []byte
	for _, r := range norm.NFC.String(s) {
		if r < 0x80 {
			out = append(out, byte(r))
		} else if b, ok := code[r]; ok {
			out = append(out, b)
		} else {
			return nil
		}
	}
	return out
}

// form is one way a drop writes a unit: its text and whether it names the
// unit alone on its day (false: another unit of that day has the same name).
type form struct {
	text   string
	unique bool
}

// plain is the test's own name key: NFC, lower case, single spaces.
func plain(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(norm.NFC.String(s))), " ")
}

// forms lists the ways drops write a unit. byName counts the units of the day
// by type and bare name, byBare by bare name, inDistrict by district and
// bare name.
func forms(s *units.Set, u units.Unit, day time.Time, byName, byBare, inDistrict map[string]int) []form {
	bare := strings.TrimPrefix(u.Name, u.Type+" ")
	one := byName[u.Type+"|"+plain(bare)] == 1
	abbrev := map[string]string{"Phường": "P.", "Thị trấn": "TT.", "Xã": "X."}[u.Type]
	var out []form
	add := func(unique bool, texts ...string) {
		for _, t := range texts {
			out = append(out, form{t, unique})
		}
	}
	add(true, u.Code, strings.TrimLeft(u.Code, "0"))
	add(one, u.Name, strings.ToLower(u.Name), strings.ToUpper(u.Name), norm.NFD.String(u.Name), abbrev+" "+bare, abbrev+bare,
		strings.ReplaceAll(u.Name, " ", "  "), "\u00a0"+u.Name+"\u200b")
	if u.Type == "Xã" {
		add(one, "xã "+bare, "XÃ "+strings.ToUpper(bare))
	}
	if byBare[plain(bare)] == 1 {
		add(true, bare, norm.NFD.String(strings.ToLower(bare)))
	}
	if b := tcvn3Of(u.Name); b != nil {
		m, _ := charmap.Windows1252.NewDecoder().Bytes(b)
		if fixed, enc, _ := vnenc.RepairString(string(m)); enc != "" && fixed == u.Name {
			add(one, string(m)) // typed in TCVN3, read as Windows-1252
		}
	}
	add(one, u.Aliases...)
	if u.ParentCode != units.ProvinceCode {
		for _, d := range s.Units {
			if d.Level == units.LevelDistrict && d.Code == u.ParentCode && d.ValidAt(day) {
				dbare := strings.TrimPrefix(d.Name, d.Type+" ")
				add(true, u.Name+", "+dbare, u.Name+" - "+d.Name)
				add(inDistrict[d.Code+"|"+plain(bare)] == 1, bare+" ("+dbare+")")
			}
		}
	}
	return out
}

// TestDropsOfEveryPeriod feeds CSV drops that name every commune of 2024, of
// 01/03/2025 and of today in every form offices write, through the CSV
// connector and the conform step, and checks every row's code: the unit
// valid at the row's date, or the quarantine with the candidates when the
// written name is shared.
func TestDropsOfEveryPeriod(t *testing.T) {
	ds, err := schemas.Parse("drop.yaml", []byte(dropYAML))
	require.NoError(t, err)
	set := units.MustLoad()
	days := map[string]time.Time{
		"2024":    time.Date(2024, 6, 15, 0, 0, 0, 0, time.UTC),
		"2025-03": time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC),
		"2025-07": time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC),
	}
	dir := t.TempDir()
	want := map[string]string{} // report id -> code ("" for a quarantined row)
	for period, day := range days {
		communes := set.CommunesAt(day)
		byName, byBare, inDistrict := map[string]int{}, map[string]int{}, map[string]int{}
		for _, u := range communes {
			b := plain(strings.TrimPrefix(u.Name, u.Type+" "))
			byName[u.Type+"|"+b]++
			byBare[b]++
			inDistrict[u.ParentCode+"|"+b]++
		}
		f, err := os.Create(filepath.Join(dir, "drop_"+period+".csv"))
		require.NoError(t, err)
		w := csv.NewWriter(f)
		require.NoError(t, w.Write([]string{"Mã báo cáo", "Xã/Phường", "Ngày báo cáo"}))
		n := 0
		for _, u := range communes {
			for _, fm := range forms(set, u, day, byName, byBare, inDistrict) {
				n++
				id := fmt.Sprintf("%s-%05d", period, n)
				want[id] = u.Code
				if !fm.unique {
					want[id] = "" // another unit of that name: only the district or the code tells them apart
				}
				require.NoError(t, w.Write([]string{id, fm.text, day.Format("02/01/2006")}))
			}
		}
		w.Flush()
		require.NoError(t, w.Error())
		require.NoError(t, f.Close())
	}
	// and a whole drop typed in TCVN3: the connector decodes it
	f, err := os.Create(filepath.Join(dir, "drop_tcvn3.csv"))
	require.NoError(t, err)
	fmt.Fprint(f, string(tcvn3Of("Mã báo cáo,Xã/Phường,Ngày báo cáo\r\n")))
	n := 0
	for _, u := range set.CommunesAt(days["2025-07"]) {
		if b := tcvn3Of(u.Name); b != nil {
			n++
			id := fmt.Sprintf("T-%03d", n)
			want[id] = u.Code
			f.Write([]byte(id + ","))
			f.Write(b)
			f.Write([]byte(",01/09/2025\r\n"))
		}
	}
	require.NoError(t, f.Close())
	require.Greater(t, n, 50)

	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	cfg := csvsrc.NewConfig()
	cfg.Path = filepath.Join(dir, "*.csv")
	src, err := cfg.Open(context.Background(), connectors.Env{BaseDir: dir, Alloc: alloc})
	require.NoError(t, err)
	defer src.Close()
	c, err := schemas.NewConformer(ds, src.Schema(), map[string]string{"Mã báo cáo": "report_id", "Xã/Phường": "commune_code", "Ngày báo cáo": "report_date"},
		schemas.ConformOptions{Alloc: alloc, Units: set})
	require.NoError(t, err)
	got := map[string]string{}
	for {
		b, err := src.Next(t.Context())
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		out, bad, err := c.Conform(b)
		b.Release()
		require.NoError(t, err)
		if out != nil {
			ids, codes := out.Column(0).(*array.String), out.Column(1).(*array.String)
			for i := 0; i < ids.Len(); i++ {
				got[ids.Value(i)] = codes.Value(i)
			}
			out.Release()
		}
		for _, q := range bad {
			got[q.Key] = ""
			assert.Equal(t, "admin_unit", q.Rule, q.Key)
			assert.Contains(t, q.ReasonVI, "khớp 2 đơn vị", "%s: %s", q.Key, q.Raw)
		}
	}
	require.Len(t, got, len(want))
	wrong := 0
	for id, code := range want {
		if got[id] != code && wrong < 20 {
			wrong++
			t.Errorf("%s: got %q, want %q", id, got[id], code)
		}
	}
	st := c.Stats()
	assert.Positive(t, st.Quarantined, "the shared names are quarantined")
	assert.Greater(t, st.Written, int64(3000))
	t.Logf("%d rows: %d matched, %d quarantined with their candidates", st.Read, st.Written, st.Quarantined)
}
