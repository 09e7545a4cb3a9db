package expr

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEval(t *testing.T) {
	row := map[string]any{
		"received": time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC),
		"due":      time.Date(2025, 3, 10, 8, 0, 0, 0, time.UTC),
		"area":     12.5,
		"output":   int64(50),
		"name":     "Chiềng Hặc",
		"code":     "0100109106-001",
		"status":   int64(10),
		"returned": nil,
		"ok":       true,
	}
	env := func(c string) any { return row[c] }
	tests := []struct {
		src  string
		want any
	}{
		{"due >= received", true},
		{"due < received", false},
		{"output / area <= 5", true},
		{"output / area", 4.0},
		{"-area + 1", -11.5},
		{"2 + 3 * 4 - 10 % 4", 12.0},
		{"(2 + 3) * 4", 20.0},
		{"len(name)", 10.0},
		{"len(code) in (10, 14)", true},
		{"len(code) not in (10, 14)", false},
		{"year(received) = 2025 and month(due) = 3", true},
		{"days(received, due)", 9.0},
		{"area between 10 and 20", true},
		{"area not between 10 and 20", false},
		{"returned is null", true},
		{"returned is not null", false},
		{"not (status = 10 and returned is null)", false},
		{"returned > received", nil},                  // null comparison
		{"returned > received or status = 10", true},  // null or true
		{"returned > received and status = 10", nil},  // null and true
		{"returned > received and status = 9", false}, // null and false
		{"coalesce(returned, due) = due", true},
		{"lower(name) = 'chiềng hặc'", true},
		{"upper('a') || '-' || trim('  b ')", "A-b"},
		{"received < date('2025-07-01')", true},
		{"name = 'it''s'", false},
		{"ok", true},
		{"ok = true and not false", true},
		{"area / 0", nil},
		{"round(area / 3, 2)", 4.17},
		{"abs(-area)", 12.5},
		{"name > 1", nil}, // text and number do not compare
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			e, err := Parse(tt.src)
			require.NoError(t, err)
			assert.Equal(t, tt.want, e.Eval(env))
		})
	}
}

func TestHolds(t *testing.T) {
	e, err := Parse("due >= received")
	require.NoError(t, err)
	assert.True(t, e.Holds(func(string) any { return nil }), "null holds")
	assert.Equal(t, []string{"due", "received"}, e.Columns())
}

func TestParseErrors(t *testing.T) {
	for _, src := range []string{
		"", "a >", "a = = b", "(a", "a)", "foo(a)", "len(a, b)", "a is 3", "date('2025-13-01')",
		"'open", "a # b", "a between 1", "and",
	} {
		_, err := Parse(src)
		assert.Error(t, err, src)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"a >= b", "len(x) in (1, 2) or y is null", "not (a between 1 and 2)", "'x' || y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			return
		}
		_ = e.Eval(func(string) any { return 1.0 })
		_ = e.Eval(func(string) any { return nil })
	})
}
