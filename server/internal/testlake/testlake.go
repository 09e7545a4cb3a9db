// Package testlake builds a small real lake for the server's tests: Iceberg
// tables in a SQLite catalog under a temporary folder, written with the
// lake's own commit, over the province's schemas plus one shared dataset.
//
//	health.clinics               open        3 rows
//	health.visits                restricted  4 rows, PII (name, cccd, phone, health)
//	health.visits__quarantine    quarantine  1 row holding a raw CCCD
//	labour.wage_reports          shared      3 rows, owner Sở Nội vụ, PII (email, name)
//	marts.dossier_kpi_monthly    mart        4 rows
package testlake

import (
	"context"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/schemas"
	sqlfs "github.com/sonla-data/kho/sql"
	"github.com/sonla-data/kho/warehouse/lake"
	"github.com/sonla-data/kho/warehouse/marts"
)

// Known values of the fixture, raw and as a token without the PII grant sees them.
const (
	CCCD            = "014150727289"
	Phone           = "0912345678"
	Name            = "Nguyễn Văn An"
	NameMasked      = "N. V. A."
	Email           = "lo.thi.hoa@sonla.gov.vn"
	QuarantinedCCCD = "01415072728X"
	SharedOwner     = "Sở Nội vụ"
	HealthOwner     = "Sở Y tế"
)

// The identifiers as a token without the PII grant sees them: keyed
// pseudonyms shown like the value (security/mask), different for each token.
var (
	CCCDMasked       = regexp.MustCompile(`^[0-9A-Z]{4}\*{4}[0-9A-Z]{4}$`) // of CCCD
	PhoneMasked      = regexp.MustCompile(`^[0-9A-Z]{4}\*{2}[0-9A-Z]{4}$`) // of Phone
	EmailMasked      = regexp.MustCompile(`^[0-9a-z]{8}\*{3}@sonla\.gov\.vn$`)
	QuarantineMasked = CCCDMasked // of QuarantinedCCCD
	// CCCDMaskedIn finds a masked CCCD in a text.
	CCCDMaskedIn = regexp.MustCompile(`\b[0-9A-Z]{4}\*{4}[0-9A-Z]{4}\b`)
)

// Lake is the built fixture.
type Lake struct {
	Lake    *lake.Lake
	Schemas *schemas.Set
	Marts   []*marts.Mart
	Root    string
}

const wageSchema = `dataset: labour.wage_reports
label: Báo cáo tiền lương bình quân
label_en: Average wage reports
owner: Sở Nội vụ
classification: shared
key: [report_id]
columns:
  - {name: report_id, label: Mã báo cáo, label_en: Report id, type: string, required: true}
  - {name: commune_code, label: Xã, label_en: Commune, type: string}
  - {name: month, label: Tháng, label_en: Month, type: date}
  - {name: avg_wage_vnd, label: Lương bình quân, label_en: Average wage, type: int}
  - {name: contact_name, label: Người báo cáo, label_en: Reporter, type: string, pii: name}
  - {name: contact_email, label: Thư điện tử, label_en: Email, type: string, pii: email}
`

// Build writes the fixture under t.TempDir().
func Build(t testing.TB) *Lake {
	t.Helper()
	ctx := context.Background()
	root := t.TempDir()
	l, err := lake.Open(ctx, lake.Config{Root: root})
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	// Only the schemas and the mart the fixture uses: the tests do not
	// depend on the rest of the province's definitions.
	set := &schemas.Set{}
	for _, file := range []string{"health/clinics.yaml", "health/visits.yaml", "admin_procedures/dossiers.yaml"} {
		b, err := fs.ReadFile(schemas.Embedded, file)
		require.NoError(t, err)
		ds, err := schemas.Parse("schemas/"+file, b)
		require.NoError(t, err)
		set.Add(ds)
	}
	wages, err := schemas.Parse("testlake/wage_reports.yaml", []byte(wageSchema))
	require.NoError(t, err)
	set.Add(wages)
	b, err := fs.ReadFile(sqlfs.Marts, "marts/dossier_kpi_monthly.sql")
	require.NoError(t, err)
	mart, err := marts.Parse("sql/marts/dossier_kpi_monthly.sql", string(b))
	require.NoError(t, err)
	ms := []*marts.Mart{mart}
	f := &Lake{Lake: l, Schemas: set, Marts: ms, Root: root}

	f.dataset(t, "health.clinics", `[
		{"clinic_id": "140001", "clinic_name": "Bệnh viện Đa khoa tỉnh", "clinic_type": "Bệnh viện", "commune_code": "03646", "beds": 700},
		{"clinic_id": "140002", "clinic_name": "Trạm y tế xã Hua La", "clinic_type": "Trạm y tế", "commune_code": "03670", "beds": 5},
		{"clinic_id": "140003", "clinic_name": "Trung tâm y tế Mộc Châu", "clinic_type": "Trung tâm y tế", "commune_code": "04000", "beds": 150}]`)
	f.dataset(t, "health.visits", `[
		{"visit_id": "LK1", "clinic_id": "140001", "visit_date": "2025-03-02", "residence_commune": "03646", "patient_name": "`+Name+`", "citizen_id": "`+CCCD+`", "phone": "`+Phone+`", "sex": "Nam", "birth_year": 1980, "icd10": "J20", "cost_vnd": "150000", "insured": true},
		{"visit_id": "LK2", "clinic_id": "140001", "visit_date": "2025-03-05", "residence_commune": "03646", "patient_name": "Lò Thị Hoa", "citizen_id": "014190000011", "phone": "0987000111", "sex": "Nữ", "birth_year": 1990, "icd10": "I10", "cost_vnd": "420000", "insured": true},
		{"visit_id": "LK3", "clinic_id": "140002", "visit_date": "2025-04-01", "residence_commune": "03670", "patient_name": "Cầm Văn Pọm", "citizen_id": "014060000022", "phone": "0355000222", "sex": "Nam", "birth_year": 1960, "icd10": "E11", "cost_vnd": "90000", "insured": false},
		{"visit_id": "LK4", "clinic_id": "140003", "visit_date": "2025-04-11", "residence_commune": "04000", "patient_name": null, "citizen_id": null, "phone": null, "sex": "Nữ", "birth_year": 2001, "icd10": "Z00", "cost_vnd": "0", "insured": true}]`)
	f.dataset(t, "labour.wage_reports", `[
		{"report_id": "W1", "commune_code": "03646", "month": "2025-03-01", "avg_wage_vnd": 6500000, "contact_name": "Lò Thị Hoa", "contact_email": "`+Email+`"},
		{"report_id": "W2", "commune_code": "03670", "month": "2025-03-01", "avg_wage_vnd": 4800000, "contact_name": "Cầm Văn Pọm", "contact_email": "pom@gmail.com"},
		{"report_id": "W3", "commune_code": "04000", "month": "2025-04-01", "avg_wage_vnd": 5200000, "contact_name": null, "contact_email": null}]`)
	f.table(t, "health.visits__quarantine", pipelines.QuarantineSchema(), `[
		{"run_id": "r1", "pipeline": "health_visits", "source_file": "health.db", "source_row": 7, "record_key": "LK9", "column_name": "citizen_id",
		 "rule": "pattern", "raw_value": "`+QuarantinedCCCD+`", "reason_vi": "Sai mẫu", "reason_en": "Bad pattern",
		 "record": "{\"ho_ten\": \"Nguyễn Văn Bình\", \"so_cccd\": \"`+QuarantinedCCCD+`\"}", "quarantined_at": "2025-04-02T01:00:00Z"}]`)
	f.table(t, "marts.dossier_kpi_monthly", iceberg.NewSchema(0,
		iceberg.NestedField{ID: 1, Name: "agency_code", Type: iceberg.PrimitiveTypes.String},
		iceberg.NestedField{ID: 2, Name: "agency_name", Type: iceberg.PrimitiveTypes.String},
		iceberg.NestedField{ID: 3, Name: "month", Type: iceberg.PrimitiveTypes.Date},
		iceberg.NestedField{ID: 4, Name: "received", Type: iceberg.PrimitiveTypes.Int64},
		iceberg.NestedField{ID: 5, Name: "on_time_rate", Type: iceberg.PrimitiveTypes.Float64},
	), `[
		{"agency_code": "000.00.09.H56", "agency_name": "Sở Y tế", "month": "2025-03-01", "received": 120, "on_time_rate": 0.95},
		{"agency_code": "000.00.09.H56", "agency_name": "Sở Y tế", "month": "2025-04-01", "received": 80, "on_time_rate": 0.9},
		{"agency_code": "000.04126.H56", "agency_name": "UBND Xã Mường Bon", "month": "2025-03-01", "received": 40, "on_time_rate": 1},
		{"agency_code": "000.04126.H56", "agency_name": "UBND Xã Mường Bon", "month": "2025-04-01", "received": 35, "on_time_rate": 0.8}]`)
	return f
}

// dataset appends rows (JSON) to a dataset's table, creating it.
func (f *Lake) dataset(t testing.TB, name, rows string) {
	t.Helper()
	ds, ok := f.Schemas.Get(name)
	require.True(t, ok, name)
	tbl, err := f.Lake.Ensure(context.Background(), name, ds.IcebergSchema(), ds.PartitionSpec(), nil)
	require.NoError(t, err)
	f.commit(t, tbl, ds.ArrowSchema(), rows)
}

// table appends rows (JSON) to a table of the given schema, creating it.
func (f *Lake) table(t testing.TB, name string, sc *iceberg.Schema, rows string) {
	t.Helper()
	tbl, err := f.Lake.Ensure(context.Background(), name, sc, *iceberg.UnpartitionedSpec, nil)
	require.NoError(t, err)
	as, err := lake.Schema(tbl)
	require.NoError(t, err)
	f.commit(t, tbl, as, rows)
}

// Append adds rows (JSON) to a dataset of the fixture.
func (f *Lake) Append(t testing.TB, name, rows string) { f.dataset(t, name, rows) }

func (f *Lake) commit(t testing.TB, tbl *table.Table, sc *arrow.Schema, rows string) {
	t.Helper()
	rec, _, err := array.RecordFromJSON(memory.DefaultAllocator, sc, strings.NewReader(rows))
	require.NoError(t, err)
	defer rec.Release()
	rdr, err := array.NewRecordReader(sc, []arrow.RecordBatch{rec})
	require.NoError(t, err)
	defer rdr.Release()
	_, err = f.Lake.Commit(context.Background(), tbl, rdr, lake.Write{Mode: lake.Append})
	require.NoError(t, err)
}
