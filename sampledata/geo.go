package sampledata

import (
	"strings"
	"time"

	"github.com/sonla-data/kho/schemas/units"
	"golang.org/x/text/unicode/norm"
)

// UnknownCommuneCode is the code planted as an unknown commune.
const UnknownCommuneCode = "99999"

// UnknownCommuneName is the name planted as an unknown commune.
const UnknownCommuneName = "Xã Không Tồn Tại"

// period is one state of the communes: the units valid in [from, to).
type period struct {
	from, to time.Time // zero: open
	communes []commune
}

// commune is a unit with what the generators need about its name.
type commune struct {
	units.Unit
	Bare string // the name without its type prefix ("Chiềng Hặc")
	// Nameable: no other unit of the period has the same full name, so the
	// commune can be written by name. BareOK: the bare name is also unique.
	Nameable, BareOK bool
}

// geo holds the three states of the communes and the succession.
type geo struct {
	set     *units.Set
	periods [3]period
	// successor maps an old commune code of the 01/03/2025 state to its new code.
	successor map[string]string
	// parts maps, for the two states before the reform, a commune of today
	// to the codes of that state that are or became part of it (sorted).
	parts [2]map[string][]string
}

func newGeo() *geo {
	s := units.MustLoad()
	g := &geo{set: s, successor: map[string]string{}}
	bounds := []time.Time{{}, units.EarlyReform, units.Reform, {}}
	for i := range g.periods {
		p := period{from: bounds[i], to: bounds[i+1]}
		day := p.from
		if day.IsZero() {
			day = units.EarlyReform.AddDate(0, 0, -1)
		}
		p.communes = describe(s.CommunesAt(day))
		g.periods[i] = p
	}
	for _, x := range s.Succession {
		if x.Effective.Equal(units.Reform) {
			g.successor[x.OldCode] = x.NewCode
		}
	}
	for i := range 2 {
		g.parts[i] = map[string][]string{}
		day := g.periods[i].from
		if day.IsZero() {
			day = units.EarlyReform.AddDate(0, 0, -1)
		}
		for _, c := range g.periods[i].communes {
			for _, sh := range s.TodayOf(c.Code, day) {
				g.parts[i][sh.Code] = append(g.parts[i][sh.Code], c.Code)
			}
		}
	}
	return g
}

// reformDay is the day of the reform of 01/07/2025.
func (g *geo) reformDay() time.Time { return units.Reform }

// oldCommuneOf returns a commune valid on day (before the reform) that is or
// became part of today's commune code: the first by code.
func (g *geo) oldCommuneOf(code string, day time.Time) string {
	i := 1
	if day.Before(units.EarlyReform) {
		i = 0
	}
	if p := g.parts[i][code]; len(p) > 0 {
		return p[0]
	}
	return code
}

// at returns the state valid on day d.
func (g *geo) at(d time.Time) *period {
	switch {
	case d.Before(units.EarlyReform):
		return &g.periods[0]
	case d.Before(units.Reform):
		return &g.periods[1]
	default:
		return &g.periods[2]
	}
}

// today is the state of the 75 communes.
func (g *geo) today() *period { return &g.periods[2] }

// newCode returns the code of today's commune that c is or became part of
// ("" when unknown, as for the communes of 2024 that merged at EarlyReform).
func (g *geo) newCode(d time.Time, code string) string {
	if !d.Before(units.Reform) {
		return code
	}
	return g.successor[code]
}

// nameKey is how a reader compares names: NFC, lower case, single spaces.
func nameKey(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(norm.NFC.String(s))), " ")
}

// bareName strips the type prefix of a commune's official name.
func bareName(u units.Unit) string {
	for _, p := range []string{u.Type + " ", "Thị trấn ", "Phường ", "Xã ", "Huyện ", "Thị xã ", "Thành phố "} {
		if strings.HasPrefix(u.Name, p) {
			return strings.TrimPrefix(u.Name, p)
		}
	}
	return u.Name
}

func describe(us []units.Unit) []commune {
	full := map[string]int{}
	bare := map[string]int{}
	out := make([]commune, len(us))
	for i, u := range us {
		out[i] = commune{Unit: u, Bare: bareName(u)}
		full[nameKey(u.Name)]++
		bare[nameKey(out[i].Bare)]++
	}
	for i := range out {
		out[i].Nameable = full[nameKey(out[i].Name)] == 1
		out[i].BareOK = out[i].Nameable && bare[nameKey(out[i].Bare)] == 1
	}
	return out
}

// abbrev is the short prefix offices write for a unit type.
func abbrev(typ string) string {
	switch typ {
	case "Phường":
		return "P."
	case "Thị trấn":
		return "TT."
	default:
		return "X."
	}
}

// nameVariants lists the written forms of a commune's name; each names the
// commune alone at its date (the bare one only when BareOK). Tone marks are
// never changed.
func nameVariants(c commune) []string {
	v := []string{
		c.Name,
		strings.ToLower(c.Name),
		abbrev(c.Type) + " " + c.Bare,
		strings.ToUpper(c.Name),
		norm.NFD.String(c.Name),
		norm.NFD.String(abbrev(c.Type) + " " + c.Bare),
	}
	if c.BareOK {
		v = append(v, c.Bare, norm.NFD.String(strings.ToLower(c.Bare)))
	}
	return v
}

// lowerType writes "Trạm y tế xã Chiềng Hặc" style names.
func lowerType(c commune) string {
	return strings.ToLower(c.Type) + " " + c.Bare
}

// districtOf returns the bare name of the district a commune (valid on day,
// before the reform) belonged to: "Mai Sơn" for Xã Chiềng Chung of Mai Sơn.
func (g *geo) districtOf(c commune, day time.Time) string {
	for _, u := range g.set.Units {
		if u.Level == units.LevelDistrict && u.Code == c.ParentCode && u.ValidAt(day) {
			return bareName(u)
		}
	}
	return ""
}
