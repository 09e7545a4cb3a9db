package units

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"
)

func TestMatch(t *testing.T) {
	m := NewMatcher(MustLoad(), LevelCommune)
	before := time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC)
	after := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name, value string
		day         time.Time
		want        string // code; "" when no unique match
	}{
		{"code before reform", "03646", before, "03646"},
		{"code after reform", "03646", after, "03646"},
		{"code without leading zero", "3646", after, "03646"},
		{"name with prefix", "Phường Chiềng Lề", before, "03646"},
		{"old name after reform", "Phường Chiềng Lề", after, ""},
		{"new name before reform is an old ward", "Phường Tô Hiệu", before, "03649"},
		{"new name after reform", "P. Tô Hiệu", after, "03646"},
		{"lower case without prefix", "tô hiệu", after, "03646"},
		{"NFD", norm.NFD.String("Xã Chiềng Hặc"), before, "04078"},
		{"same name in two districts", "Xã Chiềng Chung", before, ""},
		{"unknown", "Xã Không Tồn Tại", after, ""},
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

func TestToneMarksDistinguishCommunes(t *testing.T) {
	s := MustLoad()
	m := NewMatcher(s, LevelCommune)
	day := time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC)
	hac, err := m.Match("Xã Chiềng Hắc", day)
	require.NoError(t, err)
	hac2, err := m.Match("Xã Chiềng Hặc", day)
	require.NoError(t, err)
	assert.NotEqual(t, hac.Code, hac2.Code)
	// Every name that is unique on a day matches its own unit on that day, in
	// NFD too; a name two units share matches neither.
	// (The type prefix tells Thị trấn Hát Lót from Xã Hát Lót.)
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
		got, err := m.Match(norm.NFD.String(u.Name), day)
		if assert.NoError(t, err, u.Name) {
			assert.Equal(t, u.Code, got.Code, u.Name)
		}
	}
}
