package testlake

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/warehouse/lake"
)

// AddVisits appends n synthetic visits (deterministic) to health.visits, in
// batches of 64k rows, for load tests and benchmarks.
func (f *Lake) AddVisits(t testing.TB, n int) {
	t.Helper()
	ds, ok := f.Schemas.Get("health.visits")
	require.True(t, ok)
	sc := ds.ArrowSchema()
	rng := rand.New(rand.NewPCG(7, 11))
	day0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	communes := []string{"03646", "03670", "04000", "04126", "03961", "03865", "04150", "04033"}
	icd := []string{"J20", "I10", "E11", "Z00", "K29", "M54", "A09", "B34"}
	var recs []arrow.RecordBatch
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for i := range n {
		d := day0.AddDate(0, 0, rng.IntN(730))
		for j, fld := range sc.Fields() {
			fb := b.Field(j)
			switch fld.Name {
			case "visit_id":
				fb.(*array.StringBuilder).Append(fmt.Sprintf("SV%09d", i))
			case "clinic_id":
				fb.(*array.StringBuilder).Append(fmt.Sprintf("1400%02d", 1+rng.IntN(60)))
			case "visit_date":
				fb.(*array.Date32Builder).Append(arrow.Date32FromTime(d))
			case "residence_commune":
				fb.(*array.StringBuilder).Append(communes[rng.IntN(len(communes))])
			case "patient_name":
				fb.(*array.StringBuilder).Append(fmt.Sprintf("Người Bệnh Số %d", i))
			case "citizen_id":
				fb.(*array.StringBuilder).Append(fmt.Sprintf("014%09d", rng.IntN(1_000_000_000)))
			case "phone":
				fb.(*array.StringBuilder).Append(fmt.Sprintf("09%08d", rng.IntN(100_000_000)))
			case "sex":
				fb.(*array.StringBuilder).Append([]string{"Nam", "Nữ"}[rng.IntN(2)])
			case "birth_year":
				fb.(*array.Int64Builder).Append(int64(1940 + rng.IntN(85)))
			case "icd10":
				fb.(*array.StringBuilder).Append(icd[rng.IntN(len(icd))])
			case "cost_vnd":
				fb.(*array.Decimal128Builder).Append(decimal128.FromI64(int64(rng.IntN(2000)) * 1000))
			case "insured":
				fb.(*array.BooleanBuilder).Append(rng.IntN(10) < 9)
			case "updated_at":
				fb.(*array.TimestampBuilder).Append(arrow.Timestamp(d.Add(26 * time.Hour).UnixMicro()))
			default:
				fb.AppendNull()
			}
		}
		if (i+1)%65536 == 0 || i == n-1 {
			recs = append(recs, b.NewRecordBatch())
		}
	}
	rdr, err := array.NewRecordReader(sc, recs)
	require.NoError(t, err)
	defer rdr.Release()
	for _, r := range recs {
		r.Release()
	}
	tbl, err := f.Lake.Load(context.Background(), "health.visits")
	require.NoError(t, err)
	_, err = f.Lake.Commit(context.Background(), tbl, rdr, lake.Write{Mode: lake.Append})
	require.NoError(t, err)
}

// AddMartMonths appends agencies × months rows to marts.dossier_kpi_monthly
// (the size of the province's real mart: about 100 agencies over years).
func (f *Lake) AddMartMonths(t testing.TB, agencies, months int) {
	t.Helper()
	tbl, err := f.Lake.Load(context.Background(), "marts.dossier_kpi_monthly")
	require.NoError(t, err)
	sc, err := lake.Schema(tbl)
	require.NoError(t, err)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	rng := rand.New(rand.NewPCG(3, 5))
	for a := range agencies {
		for m := range months {
			b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("000.%05d.H56", 5000+a))
			b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("UBND Xã %d", a))
			b.Field(2).(*array.Date32Builder).Append(arrow.Date32FromTime(time.Date(2023, time.Month(1+m), 1, 0, 0, 0, 0, time.UTC)))
			b.Field(3).(*array.Int64Builder).Append(int64(rng.IntN(300)))
			b.Field(4).(*array.Float64Builder).Append(rng.Float64())
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	rdr, err := array.NewRecordReader(sc, []arrow.RecordBatch{rec})
	require.NoError(t, err)
	defer rdr.Release()
	_, err = f.Lake.Commit(context.Background(), tbl, rdr, lake.Write{Mode: lake.Append})
	require.NoError(t, err)
}
