package sampledata

import (
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/sonla-data/kho/schemas/units"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	reCCCD  = regexp.MustCompile(`^\d{12}$`)
	rePhone = regexp.MustCompile(`^(?:\+84|84|0)[35789]\d{8}$`)
)

func checkHealth(t *testing.T, dir string, m *Manifest) {
	v := newValidity()
	db := openDB(t, dir, "health.db")
	ctx := t.Context()

	clinics := map[string]bool{}
	rows, err := db.QueryContext(ctx, `SELECT ma_co_so, loai_hinh, ma_xa, so_giuong, ngay_cap_nhat FROM co_so_y_te`)
	require.NoError(t, err)
	stations := 0
	for rows.Next() {
		var code, kind, commune, upd string
		var beds int
		require.NoError(t, rows.Scan(&code, &kind, &commune, &beds, &upd))
		clinics[code] = true
		assert.Contains(t, []string{ClinicHospital, ClinicCentre, ClinicStation, ClinicPrivate}, kind)
		assert.True(t, v.validAt(commune, units.Reform), "clinic %s commune %s valid today", code, commune)
		assert.GreaterOrEqual(t, beds, 0)
		_, err := time.Parse(timeLayout, upd)
		assert.NoError(t, err)
		if kind == ClinicStation {
			stations++
		}
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, 75, stations)
	it, _ := m.Item(SourceHealth, "health.db", "co_so_y_te")
	assert.Equal(t, len(clinics), it.Rows)
	assert.Equal(t, 75+10*m.Scale, it.Rows)

	rows, err = db.QueryContext(ctx, `SELECT ma_luot_kham, ma_co_so, ngay_kham, ma_xa_cu_tru, so_cccd,
		so_dien_thoai, gioi_tinh, nam_sinh, chi_phi, co_bhyt, cap_nhat_luc FROM luot_kham`)
	require.NoError(t, err)
	defer rows.Close()
	c := newCounter(t)
	keys := map[string]bool{}
	n := 0
	for rows.Next() {
		n++
		var key sql.NullString
		var clinic, day, commune, id, phone, gender, upd string
		var born, insured int
		var cost float64
		require.NoError(t, rows.Scan(&key, &clinic, &day, &commune, &id, &phone, &gender, &born, &cost, &insured, &upd))
		var defects []string
		if !key.Valid || key.String == "" {
			defects = append(defects, BadMissingKey)
		} else {
			assert.False(t, keys[key.String], "duplicate key %s", key.String)
			keys[key.String] = true
		}
		d, err := time.Parse(dayLayout, day)
		if err != nil {
			defects = append(defects, BadInvalidDate)
		}
		if !v.known[commune] {
			defects = append(defects, BadUnknownCommune)
		} else if err == nil {
			assert.True(t, v.validAt(commune, d), "visit %d: commune %s not valid at %s", n, commune, day)
			assert.True(t, d.Year() == 2024 || d.Year() == 2025)
		}
		if cost < 0 {
			defects = append(defects, BadNegativeValue)
		} else {
			assert.True(t, cost >= 50000 && cost <= 5000000, "cost %v", cost)
		}
		c.row(fmt.Sprintf("luot_kham row %d", n), defects...)
		assert.True(t, clinics[clinic], "clinic %s exists", clinic)
		assert.Regexp(t, reCCCD, id)
		assert.Regexp(t, rePhone, phone)
		assert.Contains(t, []string{"Nam", "Nữ"}, gender)
		assert.True(t, born >= 1900 && born <= 2025)
		assert.Contains(t, []int{0, 1}, insured)
		_, err = time.Parse(timeLayout, upd)
		assert.NoError(t, err)
	}
	require.NoError(t, rows.Err())
	it, ok := m.Item(SourceHealth, "health.db", "luot_kham")
	c.equal(it, ok)
	assert.Equal(t, it.Rows, n)
	assert.Equal(t, 10000*m.Scale, n)
}

func checkAgriculture(t *testing.T, dir string, m *Manifest) {
	v := newValidity()
	db := openDB(t, dir, "agriculture.db")
	ctx := t.Context()

	rows, err := db.QueryContext(ctx, `SELECT ma_bao_cao, ma_xa, vu, nam, cay_trong, dien_tich_ha, san_luong_tan, ngay_bao_cao FROM trong_trot`)
	require.NoError(t, err)
	c := newCounter(t)
	keys := map[string]bool{}
	n := 0
	for rows.Next() {
		n++
		var key, commune, season, cropName, day string
		var year int
		var ha, tonnes float64
		require.NoError(t, rows.Scan(&key, &commune, &season, &year, &cropName, &ha, &tonnes, &day))
		assert.False(t, keys[key], "duplicate %s", key)
		keys[key] = true
		d, err := time.Parse(dayLayout, day)
		require.NoError(t, err)
		assert.Equal(t, year, d.Year())
		assert.Contains(t, []string{"Đông Xuân", "Hè Thu", "Vụ Mùa"}, season)
		assert.True(t, slices.ContainsFunc(crops, func(c crop) bool { return c.name == cropName }), cropName)
		var defects []string
		if !v.known[commune] {
			defects = append(defects, BadUnknownCommune)
		} else {
			assert.True(t, v.validAt(commune, d), "%s: commune %s at %s", key, commune, day)
		}
		if ha < 0 {
			defects = append(defects, BadNegativeValue)
		} else {
			assert.Positive(t, ha)
		}
		assert.GreaterOrEqual(t, tonnes, 0.0)
		c.row(key, defects...)
	}
	require.NoError(t, rows.Err())
	rows.Close()
	it, ok := m.Item(SourceAgriculture, "agriculture.db", "trong_trot")
	c.equal(it, ok)
	assert.Equal(t, it.Rows, n)

	rows, err = db.QueryContext(ctx, `SELECT ma_bao_cao, ma_xa, ky_bao_cao, vat_nuoi, so_con, ngay_bao_cao FROM chan_nuoi`)
	require.NoError(t, err)
	defer rows.Close()
	c = newCounter(t)
	keys = map[string]bool{}
	n = 0
	for rows.Next() {
		n++
		var key sql.NullString
		var commune, period, animal, day string
		var heads int
		require.NoError(t, rows.Scan(&key, &commune, &period, &animal, &heads, &day))
		if !key.Valid || key.String == "" {
			c.row(day, BadMissingKey)
		} else {
			assert.False(t, keys[key.String], "duplicate %s", key.String)
			keys[key.String] = true
		}
		d, err := time.Parse(dayLayout, day)
		require.NoError(t, err)
		assert.Equal(t, period, d.Format("2006-01"))
		assert.True(t, v.validAt(commune, d), "commune %s at %s", commune, day)
		assert.Positive(t, heads)
	}
	require.NoError(t, rows.Err())
	it, ok = m.Item(SourceAgriculture, "agriculture.db", "chan_nuoi")
	c.equal(it, ok)
	assert.Equal(t, it.Rows, n)
}
