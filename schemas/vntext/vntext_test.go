package vntext

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"golang.org/x/text/unicode/norm"
)

func TestNewTones(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hòa", "hoà"},
		{"Hòa Bình", "Hoà Bình"},
		{"HÒA", "HOÀ"},
		{"thúy", "thuý"},
		{"khỏe", "khoẻ"},
		{"xòe", "xoè"},
		{"Liên Hòa", "Liên Hoà"},
		{"Văn hóa", "Văn hoá"},
		{"tọa", "toạ"},
		{"hoà", "hoà"},               // already new
		{"hoàng", "hoàng"},           // closed syllable: same in both placements
		{"huỳnh", "huỳnh"},           // closed
		{"quý", "quý"},               // qu + y
		{"quà", "quà"},               // qu + a
		{"khuya", "khuya"},           // no tone
		{"thuở", "thuở"},             // ơ carries the tone
		{"Chiềng Hặc", "Chiềng Hặc"}, // nothing to move
		{"Mường Bú", "Mường Bú"},
		{"oà", "oà"},
		{"òa", "oà"},       // no initial consonant
		{"ngoài", "ngoài"}, // oai: three vowels, untouched
		{"Sở Văn hóa, Thể thao và Du lịch", "Sở Văn hoá, Thể thao và Du lịch"},
		{"ABC 123", "ABC 123"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, NewTones(tt.in))
			assert.Equal(t, tt.want, NewTones(norm.NFD.String(tt.in)), "NFD input")
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opt  Options
		want string
		did  []string
	}{
		{"clean", "Xã Chiềng Hặc", Options{}, "Xã Chiềng Hặc", nil},
		{"nfd", norm.NFD.String("Xã Chiềng Hặc"), Options{}, "Xã Chiềng Hặc", []string{RepairNFC}},
		{"tcvn3", "X· ChiÒng HÆc", Options{}, "Xã Chiềng Hặc", []string{RepairTCVN3}},
		{"vni", "Thaønh phoá Sôn La", Options{}, "Thành phố Sơn La", []string{RepairVNI}},
		{"tcvn3 kept", "X· ChiÒng HÆc", Options{KeepLegacy: true}, "X· ChiÒng HÆc", nil},
		{"old tones", "Xã Liên Hòa", Options{}, "Xã Liên Hoà", []string{RepairTones}},
		{"tones kept", "Xã Liên Hòa", Options{KeepTones: true}, "Xã Liên Hòa", nil},
		{"trim", "\u00a0 Cò  Nòi\u200b ", Options{}, "Cò  Nòi", []string{RepairWhitespace}},
		{"collapse", "\tXã Cò \u00a0Nòi\u200b ", Options{Whitespace: Collapse}, "Xã Cò Nòi", []string{RepairWhitespace}},
		{"keep", " a ", Options{Whitespace: Keep}, " a ", nil},
		{"upper", "j45.0", Options{Case: Upper}, "J45.0", []string{RepairCase}},
		{"title", "lò văn dũng", Options{Case: Title}, "Lò Văn Dũng", []string{RepairCase}},
		{"latin-1 stays", "Cà Mau", Options{}, "Cà Mau", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, did := Normalize(tt.in, tt.opt)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.did, did)
		})
	}
}

func TestMatchKey(t *testing.T) {
	same := [][2]string{
		{"Xã Liên Hoà", "xã liên hòa"},
		{"Xã Cò  Nòi", "XÃ CÒ NÒI"},
		{"Chiềng Hặc", norm.NFD.String("chiềng hặc")},
		{"Chiềng Hặc", "ChiÒng HÆc"},
		{"Thúy", "THUÝ"},
	}
	for _, p := range same {
		assert.Equal(t, MatchKey(p[0]), MatchKey(p[1]), "%q vs %q", p[0], p[1])
	}
	differ := [][2]string{{"Chiềng Hắc", "Chiềng Hặc"}, {"Mường Bằng", "Mường Bang"}, {"Mương Chanh", "Mường Chanh"}}
	for _, p := range differ {
		assert.NotEqual(t, MatchKey(p[0]), MatchKey(p[1]), "%q vs %q", p[0], p[1])
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Hòa Bình", "X· ChiÒng HÆc", "Thaønh phoá", " a\u00a0 b ", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once, _ := Normalize(s, Options{Whitespace: Collapse})
		twice, did := Normalize(once, Options{Whitespace: Collapse, KeepLegacy: true})
		if twice != once {
			t.Fatalf("not stable: %q -> %q -> %q (%v)", s, once, twice, did)
		}
	})
}

func TestSpaceFastPath(t *testing.T) {
	for _, s := range []string{"", "a", "a b", "a  b", " a", "a ", "a\u00a0b", "a\tb", "a\u200bb", "Xã Cò  Nòi", "  "} {
		for _, collapse := range []bool{false, true} {
			// the fast path agrees with the slow one
			assert.Equal(t, spaced(s, collapse), Space(s, collapse) == s, "%q collapse=%v", s, collapse)
		}
	}
}

func TestMayNeedTone(t *testing.T) {
	for s, want := range map[string]bool{"hòa": true, "Hòa Bình": true, "THÚY": true, "khỏe.": true, "hoà": false, "hoàng": false, "Nguyễn": false, "thuở": false, "òa": true} {
		assert.Equal(t, want, mayNeedTone(s), s)
	}
}
