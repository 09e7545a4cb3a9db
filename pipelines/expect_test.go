package pipelines_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/sonla-data/kho/pipelines"
)

func TestPeriodOf(t *testing.T) {
	// 17:30 UTC on 31 March is already 1 April in Sơn La.
	at := time.Date(2026, 3, 31, 17, 30, 0, 0, time.UTC)
	cases := []struct{ kind, name, from, to string }{
		{"month", "2026-04", "2026-04-01", "2026-05-01"},
		{"quarter", "2026-Q2", "2026-04-01", "2026-07-01"},
		{"year", "2026", "2026-01-01", "2027-01-01"},
	}
	for _, c := range cases {
		p := pipelines.PeriodOf(c.kind, at)
		assert.Equal(t, c.name, p.Name)
		assert.Equal(t, c.from, p.From.Format("2006-01-02"))
		assert.Equal(t, c.to, p.To.Format("2006-01-02"))
	}
}
