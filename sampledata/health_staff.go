package sampledata

import (
	"context"
	"fmt"
)

var equipmentTypes = []string{"Máy X-quang", "Máy siêu âm", "Máy xét nghiệm sinh hóa", "Máy điện tim", "Máy thở", "Máy chụp CT"}

func writeStaff(ctx context.Context, g *gen, clinics []clinic, t *table) error {
	r := g.rng("health/staff")
	pl := newPlanter(g.rng("health/staff/bad"), 50, BadNegativeValue)
	for _, year := range []int{2024, 2025} {
		for _, c := range clinics {
			doctors := between(r, 1, 4)
			if c.big {
				doctors = between(r, 20, 250)
			}
			nurses := doctors*2 + between(r, 0, 10)
			bad := pl.step()
			if bad == BadNegativeValue {
				nurses = -nurses
			}
			if err := t.row(ctx, bad, c.code, year, doctors, nurses, between(r, 0, 6), between(r, 0, 8), between(r, 1, 30)); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeEquipment(ctx context.Context, g *gen, clinics []clinic, t *table) error {
	r := g.rng("health/equipment")
	pl := newPlanter(g.rng("health/equipment/bad"), 50, BadCheckFailed)
	n := 0
	for _, c := range clinics {
		kinds := equipmentTypes[:2]
		if c.big {
			kinds = equipmentTypes
		}
		for _, k := range kinds {
			n++
			qty := between(r, 1, 3)
			if c.big {
				qty = between(r, 2, 12)
			}
			working := qty - r.IntN(min(qty, 2)+1)
			bad := pl.step()
			if bad == BadCheckFailed {
				working = qty + 1
			}
			if err := t.row(ctx, bad, fmt.Sprintf("TB%05d", n), c.code, k, qty, working, between(r, 2005, 2025)); err != nil {
				return err
			}
		}
	}
	return nil
}

var pharmacyTypes = []string{"Nhà thuốc", "Quầy thuốc", "Tủ thuốc trạm y tế"}

func writePharmacies(ctx context.Context, g *gen, _ []clinic, t *table) error {
	r := g.rng("health/pharmacies")
	pl := newPlanter(g.rng("health/pharmacies/bad"), 50, BadCheckFailed, BadUnknownCommune)
	n := 0
	for _, c := range g.geo.today().communes {
		for range between(r, 1, 4) * g.opt.Scale {
			n++
			kind := pharmacyTypes[weighted(r, []float64{30, 60, 10})]
			licensed := dayIn(r, date(2019, 1, 1), date(2025, 12, 1))
			expires := licensed.AddDate(5, 0, 0)
			place := pick(r, nameVariants(c))
			bad := pl.step()
			switch bad {
			case BadCheckFailed:
				expires = licensed.AddDate(0, 0, -between(r, 1, 400))
			case BadUnknownCommune:
				place = UnknownCommuneName
			}
			if err := t.row(ctx, bad, fmt.Sprintf("CSD%05d", n), fmt.Sprintf("%s %s %s", kind, pick(r, privateNames), c.Bare), kind, place,
				newPerson(r, 1960, 1998).Name, fmt.Sprintf("%06d/CCHN-D-SYT-SL", between(r, 100, 999999)),
				licensed.Format(dayLayout), expires.Format(dayLayout)); err != nil {
				return err
			}
		}
	}
	return nil
}
