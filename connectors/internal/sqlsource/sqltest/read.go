package sqltest

import (
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
)

// ReadIDs opens a source with a stored watermark (none when ""), reads it
// whole and returns the sorted ids of the rows (the first column, int64) and
// the watermark it reports.
func ReadIDs(t *testing.T, cfg connectors.Config, watermark string) ([]int64, string) {
	t.Helper()
	require.NoError(t, cfg.Validate())
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	env := connectors.Env{Alloc: alloc}
	if watermark != "" {
		env.State = &connectors.State{Watermark: watermark}
	}
	src, err := cfg.Open(t.Context(), env)
	require.NoError(t, err)
	defer src.Close()
	var ids []int64
	for {
		rec, err := src.Next(t.Context())
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		col := rec.Column(0).(*array.Int64)
		for i := range col.Len() {
			ids = append(ids, col.Value(i))
		}
		rec.Release()
	}
	slices.Sort(ids)
	return ids, src.(interface{ Watermark() string }).Watermark()
}

// WatermarkCase is a read of the watermark table (see WatermarkTable): the
// incremental column, its stored watermark and lag, the rows that must be
// read and the watermark after.
type WatermarkCase struct {
	Column, Stored, Lag string
	Want                []int64
	After               string
}

// WatermarkRows are the rows of the watermark table: id, a time written as
// Vietnam's wall clock, a decimal(38,10), a bigint, a date and a text.
var WatermarkRows = [][6]string{
	{"1", "2025-06-30 23:59:59.999999", "1.0000000000", "9223372036854775805", "2025-06-30", "HS-0001"},
	{"2", "2025-07-01 00:00:00", "1.0000000001", "9223372036854775806", "2025-07-01", "HS-0002"},
	{"3", "2025-07-01 00:00:00.000001", "9999999999999999999999999999.9999999999", "9223372036854775807", "2025-07-01", "HS-0010"},
}

// WatermarkCases read the watermark table with each kind of column, exactly at
// the boundaries: `>` after the stored watermark, minus the lag.
func WatermarkCases(timeColumn string, instant func(local string) string) []WatermarkCase {
	return []WatermarkCase{
		{Column: timeColumn, Stored: instant("2025-07-01 00:00:00"), Want: []int64{3}, After: instant("2025-07-01 00:00:00.000001")},
		{Column: timeColumn, Stored: instant("2025-07-01 00:00:00"), Lag: "1us", Want: []int64{2, 3}, After: instant("2025-07-01 00:00:00.000001")},
		{Column: timeColumn, Stored: instant("2025-07-01 00:00:00.000001"), Want: nil, After: instant("2025-07-01 00:00:00.000001")},
		{Column: "so_tien", Stored: "1.0000000001", Want: []int64{3}, After: "9999999999999999999999999999.9999999999"},
		{Column: "so_tien", Stored: "1.0000000001", Lag: "0.0000000001", Want: []int64{2, 3}, After: "9999999999999999999999999999.9999999999"},
		{Column: "so", Stored: "9223372036854775806", Want: []int64{3}, After: "9223372036854775807"},
		{Column: "so", Stored: "9223372036854775806", Lag: "1", Want: []int64{2, 3}, After: "9223372036854775807"},
		{Column: "ngay", Stored: "2025-07-01", Want: nil, After: "2025-07-01"},
		{Column: "ngay", Stored: "2025-07-01", Lag: "24h", Want: []int64{2, 3}, After: "2025-07-01"},
		{Column: "ma", Stored: "HS-0002", Want: []int64{3}, After: "HS-0010"},
		{Column: "ma", Stored: "", Want: []int64{1, 2, 3}, After: "HS-0010"},
	}
}
