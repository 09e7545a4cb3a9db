package sqlsource

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMarkRoundTrip(t *testing.T) {
	tests := []struct {
		col     Column
		in      string // stored watermark
		text    string // String()
		sql     string // SQL(true)
		lag     string
		lowered string // String() after the lag
	}{
		{col: Column{Name: "luc", Kind: LocalTime}, in: "2025-07-01T00:19:00+07:00", text: "2025-07-01T00:19:00+07:00",
			sql: "2025-07-01 00:19:00", lag: "30m", lowered: "2025-06-30T23:49:00+07:00"},
		{col: Column{Name: "luc", Kind: LocalTime}, in: "2025-06-30T17:19:00Z", text: "2025-07-01T00:19:00+07:00",
			sql: "2025-07-01 00:19:00", lag: "0s", lowered: "2025-07-01T00:19:00+07:00"},
		{col: Column{Name: "luc", Kind: LocalTime}, in: "2025-07-01 00:19:00.5", text: "2025-07-01T00:19:00.5+07:00",
			sql: "2025-07-01 00:19:00.5", lag: "1s", lowered: "2025-07-01T00:18:59.5+07:00"},
		{col: Column{Name: "luc", Kind: UTCTime}, in: "2025-07-01T00:19:00+07:00", text: "2025-06-30T17:19:00Z",
			sql: "2025-06-30 17:19:00+00", lag: "10m", lowered: "2025-06-30T17:09:00Z"},
		{col: Column{Name: "ngay", Kind: Date}, in: "2025-07-01", text: "2025-07-01", sql: "2025-07-01", lag: "10m", lowered: "2025-06-30"},
		{col: Column{Name: "ngay", Kind: Date}, in: "2025-07-01", text: "2025-07-01", sql: "2025-07-01", lag: "48h", lowered: "2025-06-29"},
		{col: Column{Name: "so", Kind: Int}, in: "9223372036854775807", text: "9223372036854775807", sql: "9223372036854775807",
			lag: "7", lowered: "9223372036854775800"},
		{col: Column{Name: "tien", Kind: Decimal, Precision: 12, Scale: 2}, in: "100.5", text: "100.50", sql: "100.50", lag: "0.75", lowered: "99.75"},
		{col: Column{Name: "x", Kind: Float}, in: "1.5", text: "1.5", sql: "1.5", lag: "2", lowered: "-0.5"},
		{col: Column{Name: "ma", Kind: Text}, in: "HS-0009", text: "HS-0009", sql: "HS-0009"},
	}
	for _, tt := range tests {
		t.Run(tt.col.Name+" "+tt.in+" lag "+tt.lag, func(t *testing.T) {
			m, err := ParseMark(tt.col, tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.text, m.String())
			assert.Equal(t, tt.sql, m.SQL(true))
			again, err := ParseMark(tt.col, m.String())
			require.NoError(t, err)
			assert.Equal(t, m, again, "the watermark text reads back the same")
			l, err := ParseLag(tt.lag)
			require.NoError(t, err)
			low, err := m.Minus(l, tt.col)
			require.NoError(t, err)
			if tt.lowered != "" {
				assert.Equal(t, tt.lowered, low.String())
			}
		})
	}
}

func TestMarkErrors(t *testing.T) {
	_, err := ParseMark(Column{Name: "luc", SourceType: "timestamp", Kind: LocalTime}, "hôm qua")
	assert.ErrorContains(t, err, `stored watermark "hôm qua" is not a value of column "luc" (timestamp)`)
	_, err = ParseMark(Column{Name: "b", SourceType: "bytea", Kind: Binary}, "x")
	assert.ErrorContains(t, err, "cannot carry a watermark")

	m, err := ParseMark(Column{Name: "luc", SourceType: "timestamp", Kind: LocalTime}, "2025-07-01T00:00:00Z")
	require.NoError(t, err)
	_, err = m.Minus(Lag{Number: mustLag(t, "5").Number}, Column{Name: "luc", SourceType: "timestamp"})
	assert.ErrorContains(t, err, `column "luc" is timestamp: its lag must be a duration`)
	n, err := ParseMark(Column{Name: "so", SourceType: "bigint", Kind: Int}, "5")
	require.NoError(t, err)
	_, err = n.Minus(mustLag(t, "10m"), Column{Name: "so", SourceType: "bigint"})
	assert.ErrorContains(t, err, "its lag must be a whole number")
	s, err := ParseMark(Column{Name: "ma", SourceType: "text", Kind: Text}, "a")
	require.NoError(t, err)
	_, err = s.Minus(mustLag(t, "1"), Column{Name: "ma", SourceType: "text"})
	assert.ErrorContains(t, err, "a lag needs a number, date or time column")

	for _, bad := range []string{"-5m", "ten", "1,5", "-3"} {
		_, err := ParseLag(bad)
		assert.Error(t, err, bad)
	}
}

func mustLag(t *testing.T, s string) Lag {
	l, err := ParseLag(s)
	require.NoError(t, err)
	return l
}

func TestMarkOrder(t *testing.T) {
	col := Column{Name: "tien", Kind: Decimal, Precision: 38, Scale: 10}
	a, _ := ParseMark(col, "-9999999999999999999999999999.9999999999")
	b, _ := ParseMark(col, "0.0000000001")
	c, _ := ParseMark(col, "9999999999999999999999999999.9999999999")
	assert.True(t, a.Less(b))
	assert.True(t, b.Less(c))
	assert.False(t, c.Less(a))
	tc := Column{Name: "luc", Kind: LocalTime}
	x, _ := ParseMark(tc, "2025-06-30 23:59:59.999999")
	y, _ := ParseMark(tc, "2025-07-01 00:00:00")
	assert.True(t, x.Less(y), "across midnight")
}
