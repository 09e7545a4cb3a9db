package vnenc

import (
	"encoding/csv"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/transform"
)

// examples are the phrases of legacy_charset_examples.csv (Kho shared
// reference facts): Unicode, TCVN3 read as Windows-1252, VNI read as Windows-1252.
var examples = [][3]string{
	{"Tỉnh Sơn La", "TØnh S¬n La", "Tænh Sôn La"},
	{"Thành phố Sơn La", "Thµnh phè S¬n La", "Thaønh phoá Sôn La"},
	{"Huyện Thuận Châu", "HuyÖn ThuËn Ch©u", "Huyeän Thuaän Chaâu"},
	{"Xã Chiềng Hặc", "X· ChiÒng HÆc", "Xaõ Chieàng Haëc"},
	{"Phường Tô Hiệu", "Ph\u00adêng T« HiÖu", "Phöôøng Toâ Hieäu"},
	{"Mường Bú", "M\u00adêng Bó", "Möôøng Buù"},
	{"Số hóa hồ sơ thủ tục hành chính", "Sè hãa hå s¬ thñ tôc hµnh chÝnh", "Soá hoùa hoà sô thuû tuïc haønh chính"},
	{"Ngày hẹn trả", "Ngµy hÑn tr¶", "Ngaøy heïn traû"},
}

// TestExamplesFile keeps the table above in step with the reference file
// (testdata/legacy_charset_examples.csv, copied from shared/reference/).
func TestExamplesFile(t *testing.T) {
	f, err := os.Open("testdata/legacy_charset_examples.csv")
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs[1:], len(examples))
	for i, rec := range recs[1:] {
		assert.Equal(t, examples[i], [3]string{rec[0], rec[1], rec[2]})
	}
}

func TestDecode(t *testing.T) {
	for _, ex := range examples {
		t.Run(ex[0], func(t *testing.T) {
			tb, ok := toBytes(ex[1])
			require.True(t, ok)
			vb, ok := toBytes(ex[2])
			require.True(t, ok)
			// TCVN3 capitals with tone marks share the lowercase codes, so
			// compare "Tỉnh" as "tỉnh" where the table cannot tell.
			assert.Equal(t, ex[0], fixCaps(ex[0], DecodeTCVN3(tb)))
			assert.Equal(t, ex[0], DecodeVNI(vb))

			got, _, err := transform.String(Decoder(VNI), string(vb))
			require.NoError(t, err)
			assert.Equal(t, ex[0], got)
			got, _, err = transform.String(Decoder(TCVN3), string(tb))
			require.NoError(t, err)
			assert.Equal(t, DecodeTCVN3(tb), got)
		})
	}
}

// fixCaps restores the case of want's letters in got when they differ only in case.
func fixCaps(want, got string) string {
	w, g := []rune(want), []rune(got)
	if len(w) != len(g) {
		return got
	}
	for i := range g {
		if string(w[i]) != string(g[i]) && DecodeTCVN3Caps([]byte(string(g[i]))) == string(w[i]) {
			g[i] = w[i]
		}
	}
	return string(g)
}

func TestRepairString(t *testing.T) {
	tests := []struct {
		name, in, want, enc string
		changed             bool
	}{
		{"unicode stays", "Thành phố Sơn La", "Thành phố Sơn La", "", false},
		{"latin-1 unicode stays", "Cà Mau", "Cà Mau", "", false},
		{"ascii stays", "Son La 2025", "Son La 2025", "", false},
		{"nfd becomes nfc", "Tha\u0300nh", "Thành", "", true},
		{"tcvn3", "Thµnh phè S¬n La", "Thành phố Sơn La", TCVN3, true},
		{"tcvn3 soft hyphen", "Ph\u00adêng T« HiÖu", "Phường Tô Hiệu", TCVN3, true},
		{"vni", "Thaønh phoá Sôn La", "Thành phố Sơn La", VNI, true},
		{"vni district", "Huyeän Thuaän Chaâu", "Huyện Thuận Châu", VNI, true},
		{"vni mixed case", "HUYEÄN Thuaän", "HUYỆN Thuận", VNI, true},
		{"empty", "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, enc, changed := RepairString(tt.in)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.enc, enc)
			assert.Equal(t, tt.changed, changed)
		})
	}
	for _, ex := range examples {
		got, enc, _ := RepairString(ex[2])
		assert.Equal(t, ex[0], got, "vni %q", ex[2])
		assert.Equal(t, VNI, enc)
		got, enc, _ = RepairString(ex[1])
		assert.Equal(t, ex[0], fixCaps(ex[0], got), "tcvn3 %q", ex[1])
		assert.Equal(t, TCVN3, enc)
	}
}

func TestFontEncoding(t *testing.T) {
	for font, want := range map[string]string{
		".VnTime": TCVN3, ".VnTimeH": TCVN3Caps, ".VnArial": TCVN3, ".VnArialH": TCVN3Caps,
		"VNI-Times": VNI, "VNI-Helve": VNI, "Times New Roman": "", "Calibri": "", "": "",
	} {
		assert.Equal(t, want, FontEncoding(font), font)
	}
	assert.Equal(t, "THÀNH PHỐ", DecodeString("Thµnh phè", TCVN3Caps))
	assert.Equal(t, "Sơn La", DecodeString("Sôn La", VNI))
	assert.Equal(t, "ố", DecodeString("ố", VNI), "not a byte string")
}

func TestDetect(t *testing.T) {
	var tcvn, vni []byte
	for _, ex := range examples {
		b, _ := toBytes(ex[1] + "\n")
		tcvn = append(tcvn, b...)
		b, _ = toBytes(ex[2] + "\n")
		vni = append(vni, b...)
	}
	assert.Equal(t, TCVN3, Detect(tcvn).Encoding)
	assert.Equal(t, VNI, Detect(vni).Encoding)
	cp, _ := toBytes("Ha\u0300 N\u00f4\u0323i") // never mind: not all runes are cp1258 bytes
	_ = cp
	w1258 := []byte{'T', 'h', 0xE0, 'n', 'h', ' ', 'p', 'h', 0xF4, 0xEC, ' ', 'S', 0xF5, 'n', ' ', 'L', 'a'} // "Thành phố Sơn La"
	assert.Equal(t, Windows1258, Detect(w1258).Encoding)
}

func TestIsSyllable(t *testing.T) {
	for _, w := range []string{"Thành", "phố", "Sơn", "La", "nghiêng", "khuya", "gì", "quý", "Chiềng", "Hặc", "NGƯỜI", "tuyển"} {
		assert.True(t, IsSyllable(w), w)
	}
	for _, w := range []string{"Thµnh", "HuyÖn", "Thaønh", "Sóơn", "xyz", "strength", "aaaa", ""} {
		assert.False(t, IsSyllable(w), w)
	}
}
