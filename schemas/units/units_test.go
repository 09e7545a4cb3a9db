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
	assert.Len(t, s.Succession, 207) // 200 at the reform, 7 of 2024 gone by 01/03/2025
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

func TestTodayOf(t *testing.T) {
	s := MustLoad()
	today := map[string]bool{}
	for _, u := range s.CommunesAt(Reform) {
		today[u.Code] = true
	}
	// Every commune of every state goes whole to today's communes.
	for _, day := range []time.Time{
		time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC),
	} {
		for _, u := range s.CommunesAt(day) {
			shares := s.TodayOf(u.Code, day)
			total := 0.0
			for _, sh := range shares {
				assert.True(t, today[sh.Code], "%s %s on %s -> %s", u.Code, u.Name, day.Format("2006-01-02"), sh.Code)
				total += sh.Share
			}
			assert.InDelta(t, 1, total, 1e-9, "%s %s on %s", u.Code, u.Name, day.Format("2006-01-02"))
		}
	}
	cases := []struct {
		code string
		day  time.Time
		want string
	}{
		{"03751", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), "03721"}, // Chiềng Ly -> Phổng Ly -> Thuận Châu
		{"04060", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), "04075"}, // TT Yên Châu (old code) -> TT Yên Châu -> Xã Yên Châu
		{"03646", time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), "03646"}, // Chiềng Lề -> Tô Hiệu (code reused)
		{"03649", time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC), "03646"}, // the old Tô Hiệu is 03649
		{"04012", time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC), "03980"}, // Chiềng Hắc -> Phường Mộc Châu
		{"04078", time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC), "04078"}, // Chiềng Hặc stays
	}
	for _, c := range cases {
		got := s.TodayOf(c.code, c.day)
		if assert.Len(t, got, 1, c.code) {
			assert.Equal(t, c.want, got[0].Code, c.code)
		}
	}
	assert.Nil(t, s.TodayOf("03751", time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)), "gone by then")
}
