package units

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCounts(t *testing.T) {
	s, err := Load()
	require.NoError(t, err)
	day := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	assert.Len(t, s.CommunesAt(day(2024, 11, 1)), 204)
	assert.Len(t, s.CommunesAt(day(2025, 3, 1)), 200)
	assert.Len(t, s.CommunesAt(day(2025, 7, 1)), 75)
	assert.Len(t, s.Succession, 200)
	// Code reuse: 03646 was Phường Chiềng Lề, is now Phường Tô Hiệu.
	var names []string
	for _, u := range s.Units {
		if u.Code == "03646" {
			names = append(names, u.Name)
		}
	}
	assert.Equal(t, []string{"Phường Chiềng Lề", "Phường Tô Hiệu"}, names)
	// Every old commune of 01/03/2025 has a successor among today's communes.
	today := map[string]bool{}
	for _, u := range s.CommunesAt(day(2026, 1, 1)) {
		today[u.Code] = true
	}
	for _, u := range s.CommunesAt(day(2025, 6, 30)) {
		x, ok := s.Successor(u.Code)
		if assert.True(t, ok, u.Code) {
			assert.True(t, today[x.NewCode], x.NewCode)
		}
	}
}

func TestUnitsArePeriodsWithoutOverlap(t *testing.T) {
	s := MustLoad()
	type k struct{ level, code string }
	by := map[k][]Unit{}
	for _, u := range s.Units {
		by[k{u.Level, u.Code}] = append(by[k{u.Level, u.Code}], u)
	}
	for key, us := range by {
		for i := range us {
			for j := i + 1; j < len(us); j++ {
				a, b := us[i], us[j]
				overlap := (b.ValidTo.IsZero() || a.ValidFrom.Before(b.ValidTo)) && (a.ValidTo.IsZero() || b.ValidFrom.Before(a.ValidTo))
				assert.False(t, overlap, "%v: %s and %s overlap", key, a.Name, b.Name)
			}
		}
	}
	assert.Len(t, s.unitsAt(LevelDistrict, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)), 12)
}
