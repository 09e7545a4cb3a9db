package units

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"
)

var (
	in2024 = time.Date(2024, 6, 15, 0, 0, 0, 0, time.UTC)
	in2025 = time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC)
	after  = time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
)

// tcvn3 and vni are how those legacy encodings look read as Windows-1252
// (from the shared reference's legacy_charset_examples.csv).
const (
	hacTCVN3 = "X· ChiÒng HÆc"
	hacVNI   = "Xaõ Chieàng Haëc"
	toHieuT3 = "Ph\u00adêng T« HiÖu"
)

func TestMatch(t *testing.T) {
	m := NewMatcher(MustLoad(), LevelCommune)
	cases := []struct {
		name, value string
		day         time.Time
		want        string // code; "" when no unique match
	}{
		{"code before reform", "03646", in2025, "03646"},
		{"code after reform", "03646", after, "03646"},
		{"code without leading zero", "3646", after, "03646"},
		{"name with prefix", "Phường Chiềng Lề", in2025, "03646"},
		{"old name after reform", "Phường Chiềng Lề", after, ""},
		{"new name before reform is an old ward", "Phường Tô Hiệu", in2025, "03649"},
		{"new name after reform", "P. Tô Hiệu", after, "03646"},
		{"lower case without prefix", "tô hiệu", after, "03646"},
		{"NFD", norm.NFD.String("Xã Chiềng Hặc"), in2025, "04078"},
		{"same name in two districts", "Xã Chiềng Chung", in2025, ""},
		{"unknown", "Xã Không Tồn Tại", after, ""},

		// forms of the prefix
		{"X.", "X. Chiềng Hặc", in2025, "04078"},
		{"X. without space", "X.Chiềng Hặc", in2025, "04078"},
		{"XÃ upper", "XÃ CHIỀNG HẶC", in2025, "04078"},
		{"TT.", "TT. Hát Lót", in2025, "04105"},
		{"tt lower", "tt hát lót", in2025, "04105"},
		{"Thị trấn", "Thị trấn Hát Lót", in2025, "04105"},
		{"Xã Hát Lót is not the town", "Xã Hát Lót", in2025, "04135"},
		{"bare Hát Lót is two units", "Hát Lót", in2025, ""},
		{"P.", "P. Chiềng Sinh", in2025, "03679"},
		{"wrong type", "Phường Chiềng Hặc", in2025, ""},

		// spacing, encodings, tone placement
		{"double space official", "Xã Cò  Nòi", in2025, "04138"},
		{"single space", "Xã Cò Nòi", in2025, "04138"},
		{"nbsp and zero width", "Xã\u00a0Cò\u200b Nòi ", in2025, "04138"},
		{"TCVN3", hacTCVN3, in2025, "04078"},
		{"VNI", hacVNI, in2025, "04078"},
		{"TCVN3 ward", toHieuT3, after, "03646"},
		{"old tone placement", "Xã Liên Hòa", in2025, "04009"},
		{"new tone placement", "Xã Liên Hoà", in2025, "04009"},

		// tone marks tell communes apart
		{"Chiềng Hắc", "Chiềng Hắc", in2025, "04012"},
		{"Chiềng Hặc", "Chiềng Hặc", in2025, "04078"},
		{"Mường Bằng", "Mường Bằng", in2025, "04111"},
		{"Mường Bang", "Xã Mường Bang", in2025, "03964"},
		{"no diacritics is never guessed", "Chieng Hac", in2025, ""},

		// official alternative spellings
		{"Noong Lay", "Xã Noong Lay", in2025, "03754"},
		{"Nong Lay", "Xã Nong Lay", in2025, "03754"},
		{"Nà Pó", "Nà Pó", in2025, "04136"},
		{"Nà Bó", "Xã Nà Bó", in2025, "04136"},
		{"Pú Pẩu", "Pú Pẩu", in2025, "04174"},
		{"Pú Bẩu", "Pú Bẩu", in2025, "04174"},
		{"Mương Chanh (GSO)", "Xã Mương Chanh", in2025, "04117"},
		{"Mường Chanh before the reform", "Xã Mường Chanh", in2025, "04117"},
		{"Mường Chanh after the reform", "Xã Mường Chanh", after, "04117"},
		{"Nà Ơt", "Nà Ơt", in2025, "04162"},
		{"Nà Ớt", "Xã Nà Ớt", in2025, "04162"},
		{"Nậm Păm", "Nậm Păm", in2025, "03826"},
		{"Nặm Păm", "Nặm Păm", in2025, "03826"},
		{"Nậm ét", "Xã Nậm ét", in2025, "03712"},
		{"Nặm Ét", "Xã Nặm Ét", in2025, "03712"},
		{"Sập Vạt in 2024", "Sập Vạt", in2024, "04066"},
		{"Sặp Vạt in 2024", "Sặp Vạt", in2024, "04066"},
		{"Sập Vạt in 2025", "Sập Vạt", in2025, "04066"},

		// district qualifier
		{"district after a comma", "Chiềng Chung, Mai Sơn", in2025, "04129"},
		{"district with prefix", "Xã Chiềng Chung, Huyện Mai Sơn", in2025, "04129"},
		{"district after a dash", "Xã Chiềng Chung - Thị xã Mộc Châu", in2025, "04015"},
		{"district in brackets", "Chiềng Chung (H. Mai Sơn)", in2025, "04129"},
		{"wrong district", "Chiềng Chung, Sông Mã", in2025, ""},
		{"unknown district", "Chiềng Chung, Hà Nội", in2025, ""},
		{"old district after the reform only informs", "Xã Chiềng Hặc, Yên Châu", after, "04078"},
		{"TP district", "Phường Chiềng Lề, TP Sơn La", in2025, "03646"},

		// 2024 names
		{"2024 town", "Thị trấn Mộc Châu", in2024, "03979"},
		{"2024 town gone in 2025", "Thị trấn Mộc Châu", in2025, ""},
		{"2024 commune later a town", "Xã Mường Giàng", in2024, "03703"},
		{"2024 commune later a town, 2025", "TT Mường Giàng", in2025, "03703"},
		{"2024 Phổng Lăng", "Phổng Lăng", in2024, "03748"},
		{"2024 Chiềng Ly", "X. Chiềng Ly", in2024, "03751"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, err := m.Match(c.value, c.day)
			if c.want == "" {
				var me *MatchError
				assert.True(t, errors.As(err, &me), "want a MatchError, got %v (%v)", err, u)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, u.Code)
		})
	}
}

func TestMatchInDistrictColumn(t *testing.T) {
	m := NewMatcher(MustLoad(), LevelCommune)
	u, err := m.MatchIn("Xã Chiềng Chung", "Huyện Mai Sơn", in2025)
	require.NoError(t, err)
	assert.Equal(t, "04129", u.Code)
	_, err = m.MatchIn("Xã Chiềng Chung", "", in2025)
	var me *MatchError
	require.True(t, errors.As(err, &me))
	assert.Len(t, me.Candidates, 2)
	assert.Contains(t, me.ReasonVI(), "04015 Xã Chiềng Chung")
	assert.Contains(t, me.ReasonVI(), "04129 Xã Chiềng Chung")
}

func TestToneMarksDistinguishCommunes(t *testing.T) {
	s := MustLoad()
	m := NewMatcher(s, LevelCommune)
	// Every name that is unique on a day matches its own unit on that day, in
	// every written form; a name two units share matches neither.
	for _, day := range []time.Time{in2024, in2025, after} {
		count := map[[2]string]int{}
		for _, u := range s.CommunesAt(day) {
			k, _ := MatchKey(u.Name)
			count[[2]string{k, u.Type}]++
		}
		for _, u := range s.CommunesAt(day) {
			if k, _ := MatchKey(u.Name); count[[2]string{k, u.Type}] > 1 {
				_, err := m.Match(u.Name, day)
				assert.Error(t, err, u.Name)
				continue
			}
			bare := strings.TrimPrefix(u.Name, u.Type+" ")
			for _, form := range []string{u.Name, norm.NFD.String(u.Name), strings.ToUpper(u.Name), strings.ToLower(u.Name),
				abbrev(u.Type) + bare, "  " + strings.ReplaceAll(u.Name, " ", "  ") + " "} {
				got, err := m.Match(form, day)
				if assert.NoError(t, err, "%q on %s", form, day.Format("2006-01-02")) {
					assert.Equal(t, u.Code, got.Code, form)
				}
			}
		}
	}
}

func abbrev(typ string) string {
	switch typ {
	case "Phường":
		return "P."
	case "Thị trấn":
		return "TT. "
	}
	return "X. "
}
