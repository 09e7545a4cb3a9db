package sqlsource

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in      string
		p, s    int32
		want    string // ToString(s); "" when an error is expected
		wantErr string
	}{
		{in: "9999999999999999999999999999.9999999999", p: 38, s: 10, want: "9999999999999999999999999999.9999999999"},
		{in: "-9999999999999999999999999999.9999999999", p: 38, s: 10, want: "-9999999999999999999999999999.9999999999"},
		{in: "99999999999999999999999999999999999999", p: 38, s: 0, want: "99999999999999999999999999999999999999"},
		{in: "0.0000000001", p: 38, s: 10, want: "0.0000000001"},
		{in: "12.5", p: 10, s: 2, want: "12.50"},
		{in: "12.500", p: 10, s: 2, want: "12.50"},
		{in: "-0", p: 5, s: 0, want: "0"},
		{in: "+7", p: 5, s: 1, want: "7.0"},
		{in: ".5", p: 5, s: 1, want: "0.5"},
		{in: "0012", p: 2, s: 0, want: "12"},
		{in: "12.345", p: 10, s: 2, wantErr: "12.345 has more than 2 decimals"},
		{in: "123", p: 4, s: 2, wantErr: "123 has more than 4 digits"},
		{in: "NaN", p: 10, s: 2, wantErr: `"NaN" is not a decimal number`},
		{in: "1e5", p: 10, s: 2, wantErr: "is not a decimal number"},
		{in: "", p: 10, s: 2, wantErr: "is not a decimal number"},
		{in: "1.2.3", p: 10, s: 2, wantErr: "is not a decimal number"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, err := ParseDecimal(tt.in, tt.p, tt.s)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, n.ToString(tt.s))
		})
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in      string
		loc     *time.Location
		want    string // RFC 3339 in UTC; "" when an error is expected
		wantErr string
	}{
		{in: "2025-06-30 23:59:59.999999", loc: Local, want: "2025-06-30T16:59:59.999999Z"},
		{in: "2025-07-01 00:00:00", loc: Local, want: "2025-06-30T17:00:00Z"},
		{in: "2025-07-01 00:00:00", loc: time.UTC, want: "2025-07-01T00:00:00Z"},
		{in: "2025-06-30 16:59:59.5+00", loc: Local, want: "2025-06-30T16:59:59.5Z"},
		{in: "2025-07-01 00:00:00+07:00", loc: time.UTC, want: "2025-06-30T17:00:00Z"},
		{in: "1900-01-01 00:00:00+07:06:40", loc: time.UTC, want: "1899-12-31T16:53:20Z"},
		{in: "0044-03-15 12:00:00 BC", loc: time.UTC, want: "-0043-03-15T12:00:00Z"},
		{in: "2025-07-01T08:00:00Z", loc: Local, want: "2025-07-01T08:00:00Z"},
		{in: "infinity", loc: Local, wantErr: "infinity does not fit a timestamp"},
		{in: "2025-02-30 08:00:00", loc: Local, wantErr: "is not a date and time"},
		{in: "0000-00-00 00:00:00", loc: Local, wantErr: "zero date"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTime(tt.in, tt.loc)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.UTC().Format(time.RFC3339Nano))
		})
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{in: "2025-07-01", want: "2025-07-01"},
		{in: "1969-12-31", want: "1969-12-31"},
		{in: "9999-12-31", want: "9999-12-31"},
		{in: "0001-01-01 BC", want: "0000-01-01"},
		{in: "-infinity", wantErr: "does not fit a date"},
		{in: "2025-00-10", wantErr: "is not a date"},
		{in: "0000-00-00", wantErr: "zero date"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := ParseDate(tt.in)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, dateOfDays(d).Format("2006-01-02"))
		})
	}
}

func TestFloat32(t *testing.T) {
	assert.Equal(t, 0.1, Float32(0.1))
	assert.Equal(t, 3.4028235e38, Float32(math.MaxFloat32))
	assert.True(t, math.IsNaN(Float32(float32(math.NaN()))))
	assert.True(t, math.Signbit(Float32(float32(math.Copysign(0, -1)))))
	assert.True(t, math.IsInf(Float32(float32(math.Inf(-1))), -1))
}
