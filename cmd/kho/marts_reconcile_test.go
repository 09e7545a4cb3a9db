package main

import (
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// martValues runs a query whose first keys columns are text and the others
// numbers (NULL as NaN), keyed by the text columns joined with "|".
func martValues(t *testing.T, a *app, keys int, q string) map[string][]float64 {
	t.Helper()
	rows, err := a.engine.DB().QueryContext(t.Context(), q)
	require.NoError(t, err, q)
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	out := map[string][]float64{}
	for rows.Next() {
		ks := make([]sql.NullString, keys)
		vs := make([]sql.NullFloat64, len(cols)-keys)
		ptrs := make([]any, 0, len(cols))
		for i := range ks {
			ptrs = append(ptrs, &ks[i])
		}
		for i := range vs {
			ptrs = append(ptrs, &vs[i])
		}
		require.NoError(t, rows.Scan(ptrs...))
		parts := make([]string, keys)
		for i, k := range ks {
			parts[i] = k.String
		}
		nums := make([]float64, len(vs))
		for i, v := range vs {
			nums[i] = math.NaN()
			if v.Valid {
				nums[i] = v.Float64
			}
		}
		key := strings.Join(parts, "|")
		require.NotContains(t, out, key, "duplicate key %s", key)
		out[key] = nums
	}
	require.NoError(t, rows.Err())
	return out
}

// rate is num/den, NaN when den is 0.
func rate(num, den float64) float64 {
	if den == 0 {
		return math.NaN()
	}
	return num / den
}

// sameNumbers compares two rows of numbers (NaN equal to NaN).
func sameNumbers(t *testing.T, want, got []float64, what string) {
	t.Helper()
	require.Len(t, got, len(want), what)
	for i := range want {
		if math.IsNaN(want[i]) {
			assert.True(t, math.IsNaN(got[i]), "%s: column %d: want none, got %v", what, i, got[i])
			continue
		}
		assert.InDelta(t, want[i], got[i], 1e-9, "%s: column %d", what, i)
	}
}

func (c counts) values() []float64 {
	return []float64{c.received, c.completed, c.onTime, c.online, c.digitised, c.reused, c.paid,
		rate(c.onTime, c.completed), rate(c.online, c.received), rate(c.digitised, c.received), rate(c.reused, c.received), rate(c.paid, c.received)}
}

// kpiColumns are the counts and rates every dossier KPI mart has, in the
// order of counts.values.
const kpiColumns = `received, completed, on_time, online, digitised, reused, paid_online,
	on_time_rate, online_rate, digitised_rate, reuse_rate, online_payment_rate`

// targets of Plan 210/KH-UBND for 2025: digitised 80%, reuse 80%, and the
// national on-time (95%) and online (80%) indicators.
var targets2025 = []float64{0.80, 0.80, 0.95, 0.80}

func targetsMet(c counts) []float64 {
	met := func(r, target float64) float64 {
		if math.IsNaN(r) {
			return math.NaN()
		}
		if r >= target {
			return 1
		}
		return 0
	}
	return []float64{met(rate(c.digitised, c.received), 0.80), met(rate(c.reused, c.received), 0.80),
		met(rate(c.onTime, c.completed), 0.95), met(rate(c.online, c.received), 0.80)}
}

const targetColumns = `digitised_target, reuse_target, on_time_target, online_target,
	CAST(digitised_met AS INTEGER), CAST(reuse_met AS INTEGER), CAST(on_time_met AS INTEGER), CAST(online_met AS INTEGER)`

// reconcileMarts checks every leadership mart against figures computed
// from the sample province's files (see marts_sample_test.go).
func reconcileMarts(t *testing.T, a *app, sample string) {
	facts := sampleDossiers(t, sample)
	ref := readReform(t, sample)
	months := map[string]bool{}
	for _, d := range facts {
		months[d.month] = true
	}
	require.Len(t, months, 12, "a year of dossiers")

	group := func(key func(dossierFacts) (string, float64, bool)) map[string]*counts {
		out := map[string]*counts{}
		for _, d := range facts {
			k, w, ok := key(d)
			if !ok {
				continue
			}
			if out[k] == nil {
				out[k] = &counts{}
			}
			out[k].add(d, w)
		}
		return out
	}
	t.Run("province", func(t *testing.T) {
		want := group(func(d dossierFacts) (string, float64, bool) { return d.month, 1, true })
		got := martValues(t, a, 1, `SELECT strftime(month, '%Y-%m-%d'), `+kpiColumns+`, `+targetColumns+` FROM marts.dossier_kpi_province_monthly`)
		require.Len(t, got, len(want))
		for k, w := range want {
			sameNumbers(t, append(append(w.values(), targets2025...), targetsMet(*w)...), got[k], "marts.dossier_kpi_province_monthly "+k)
		}
	})

	t.Run("agency", func(t *testing.T) {
		want := group(func(d dossierFacts) (string, float64, bool) { return d.agency + "|" + d.month, 1, true })
		got := martValues(t, a, 2, `SELECT agency_code, strftime(month, '%Y-%m-%d'), `+kpiColumns+`, `+targetColumns+` FROM marts.dossier_kpi_monthly`)
		require.Len(t, got, len(want))
		for k, w := range want {
			sameNumbers(t, append(append(w.values(), targets2025...), targetsMet(*w)...), got[k], "marts.dossier_kpi_monthly "+k)
		}
	})

	t.Run("procedure", func(t *testing.T) {
		want := group(func(d dossierFacts) (string, float64, bool) { return d.procedure + "|" + d.month, 1, true })
		agencies := map[string]map[string]bool{}
		for _, d := range facts {
			k := d.procedure + "|" + d.month
			if agencies[k] == nil {
				agencies[k] = map[string]bool{}
			}
			agencies[k][d.agency] = true
		}
		got := martValues(t, a, 2, `SELECT procedure_code, strftime(month, '%Y-%m-%d'), agencies, `+kpiColumns+`, `+targetColumns+` FROM marts.dossier_kpi_procedure_monthly`)
		require.Len(t, got, len(want))
		for k, w := range want {
			row := append([]float64{float64(len(agencies[k]))}, append(append(w.values(), targets2025...), targetsMet(*w)...)...)
			sameNumbers(t, row, got[k], "marts.dossier_kpi_procedure_monthly "+k)
		}
	})

	t.Run("commune", func(t *testing.T) {
		want := group(func(d dossierFacts) (string, float64, bool) {
			ag, ok := ref.agencies[d.agency]
			require.True(t, ok, "agency %s of a dossier is in co_quan.csv", d.agency)
			if ag.level != "xã" {
				return "", 0, false
			}
			return ref.communeToday(t, ag) + "|" + d.month, 1, true
		})
		got := martValues(t, a, 3, `SELECT commune_code, commune_name, strftime(month, '%Y-%m-%d'), `+kpiColumns+`, `+targetColumns+` FROM marts.dossier_kpi_commune_monthly`)
		require.Len(t, got, 75*len(months), "every commune of today, every month")
		var total float64
		for code, name := range ref.today {
			for m := range months {
				w := want[code+"|"+m]
				if w == nil {
					w = &counts{}
				}
				total += w.received
				row := append(append(w.values(), targets2025...), targetsMet(*w)...)
				// an empty month has counts of 0 and no rates
				sameNumbers(t, row, got[code+"|"+name+"|"+m], "marts.dossier_kpi_commune_monthly "+code+" "+m)
			}
		}
		assert.Greater(t, total, 0.0)
	})

	t.Run("commune map", func(t *testing.T) {
		got := martValues(t, a, 3, `SELECT code, coalesce(strftime(valid_before, '%Y-%m-%d'), ''), commune_code, share FROM marts.commune_today_map`)
		want := map[string]float64{}
		for code := range ref.today {
			want[code+"||"+code] = 1
		}
		for old, next := range ref.july {
			want[old+"|2025-07-01|"+next] = 1
		}
		for old, mid := range ref.jan {
			want[old+"|2025-01-01|"+ref.july[mid]] = 1
		}
		require.Len(t, got, len(want))
		for k, share := range want {
			sameNumbers(t, []float64{share}, got[k], "marts.commune_today_map "+k)
		}
	})

	t.Run("plan targets", func(t *testing.T) {
		got := martValues(t, a, 2, `SELECT kpi, CAST(year AS VARCHAR), target FROM marts.plan_targets`)
		for y := 2025; y <= 2030; y++ {
			ys := fmt.Sprint(y)
			sameNumbers(t, []float64{0.80 + 0.04*float64(y-2025)}, got["digitised_rate|"+ys], "digitised "+ys)
			sameNumbers(t, []float64{0.80}, got["reuse_rate|"+ys], "reuse "+ys)
		}
	})

	t.Run("data-development index", func(t *testing.T) { reconcileIndex(t, a, sample) })
}

// reconcileIndex checks the data-development index against the schemas'
// declarations, the manifest's rows and planted bad rows, and, for the
// datasets the manifest does not describe (built-in reference data, the
// dossiers' documents and results), the run history in runs.db.
func reconcileIndex(t *testing.T, a *app, sample string) {
	rows, bad := manifestByDataset(t, sample)
	runs, err := a.history.Latest(t.Context())
	require.NoError(t, err)
	written := map[string]int64{}
	for _, r := range runs {
		written[r.Dataset] += r.Written
		if _, ok := rows[r.Dataset]; !ok {
			rows[r.Dataset] = int(r.Read)
			bad[r.Dataset] = int(r.Quarantined)
		}
	}
	type owner struct{ expected, delivered, open, openPublished, written, quarantined float64 }
	want := map[string]*owner{}
	for _, d := range a.schemas.All() {
		o := want[d.Owner]
		if o == nil {
			o = &owner{}
			want[d.Owner] = o
		}
		o.expected++
		delivered := rows[d.Name]-bad[d.Name] > 0 && written[d.Name] > 0
		open := d.Classification == "open"
		if delivered {
			o.delivered++
			o.written += float64(rows[d.Name] - bad[d.Name])
			o.quarantined += float64(bad[d.Name])
		}
		if open {
			o.open++
			if delivered {
				o.openPublished++
			}
		}
	}
	got := martValues(t, a, 1, `SELECT owner, datasets_expected, datasets_delivered, datasets_fresh, open_expected, open_published,
		rows_written, rows_quarantined, quality_pass_rate, index_score FROM marts.data_development_index`)
	owners := make([]string, 0, len(want))
	for o := range want {
		owners = append(owners, o)
	}
	sort.Strings(owners)
	require.Len(t, got, len(want), "one row per owner: %v", owners)
	for _, name := range owners {
		o := want[name]
		quality := rate(o.written, o.written+o.quarantined)
		parts := []float64{o.delivered / o.expected, o.delivered / o.expected} // every delivery is fresh: it was just loaded
		if !math.IsNaN(quality) {
			parts = append(parts, quality)
		}
		if o.open > 0 {
			parts = append(parts, o.openPublished/o.open)
		}
		var sum float64
		for _, p := range parts {
			sum += p
		}
		score := math.Round(1000*sum/float64(len(parts))) / 10
		sameNumbers(t, []float64{o.expected, o.delivered, o.delivered, o.open, o.openPublished, o.written, o.quarantined, quality, score},
			got[name], "marts.data_development_index "+name)
	}
}
