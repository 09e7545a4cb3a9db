// Package units holds Sơn La's administrative units with their validity dates
// (the 2024 units, the state of 01/03/2025 and the 75 communes from 01/07/2025)
// and the succession of the 2025 reform, built from the embedded seed files.
package units

import (
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/unicode/norm"
)

//go:embed seed/*.csv
var seed embed.FS

// Levels of a unit.
const (
	LevelProvince = "province"
	LevelDistrict = "district"
	LevelCommune  = "commune"
)

// ProvinceCode is Sơn La's code.
const ProvinceCode = "14"

var (
	// EarlyReform is the date taken for the changes between the observations of
	// 01/11/2024 and 01/03/2025 (the seed does not give their exact date).
	EarlyReform = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	// Reform is the day the districts were abolished and 200 communes became 75.
	Reform = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
)

// Unit is one administrative unit over one validity period. Codes are reused
// with a new meaning after the reform, so a unit is keyed by code and period.
type Unit struct {
	Code       string
	Name       string // official full name with its type prefix, NFC ("Xã Chiềng Hặc")
	NameEN     string // where known
	Type       string // Tỉnh, Thành phố, Huyện, Thị xã, Phường, Xã, Thị trấn
	Level      string
	ParentCode string    // district (before the reform) or province
	ValidFrom  time.Time // zero: valid since before the seed's first observation
	ValidTo    time.Time // exclusive; zero: still valid
	// Aliases are other official spellings of the name ("Xã Nong Lay" for
	// "Xã Noong Lay"), matched like the name.
	Aliases []string
}

// ValidAt reports whether the unit existed on day d.
func (u Unit) ValidAt(d time.Time) bool {
	if !u.ValidFrom.IsZero() && d.Before(u.ValidFrom) {
		return false
	}
	return u.ValidTo.IsZero() || d.Before(u.ValidTo)
}

// Succession maps a commune to the one it became part of: at the reform of
// 01/07/2025 (Effective == Reform, every commune of 01/03/2025), or at the
// earlier changes (Effective == EarlyReform, the communes of 01/11/2024 gone
// by 01/03/2025; a commune whose code went on is its own successor then).
type Succession struct {
	OldCode, OldName, OldDistrict string
	NewCode, NewName              string
	// Share is the part of the old commune that went to the new one (1 when
	// it went whole; every Sơn La commune of 2025 went whole to one new unit).
	Share     float64
	Basis     string
	Effective time.Time
}

// Set is the whole reference: every unit and the succession.
type Set struct {
	Units      []Unit
	Succession []Succession
}

var (
	loadOnce sync.Once
	loaded   *Set
	loadErr  error
)

// Load returns the embedded reference (parsed once).
func Load() (*Set, error) {
	loadOnce.Do(func() { loaded, loadErr = parse() })
	return loaded, loadErr
}

// MustLoad is Load for the embedded, tested seed: it cannot fail at run time.
func MustLoad() *Set {
	s, err := Load()
	if err != nil {
		panic(err)
	}
	return s
}

func readCSV(name string) ([]map[string]string, error) {
	f, err := seed.Open("seed/" + name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("reading seed %s: %w", name, err)
	}
	var out []map[string]string
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading seed %s line %d: %w", name, line, err)
		}
		m := make(map[string]string, len(head))
		for i, h := range head {
			m[h] = norm.NFC.String(rec[i])
		}
		out = append(out, m)
	}
}

func parse() (*Set, error) {
	early, err := readCSV("admin_units_2024-11-01.csv")
	if err != nil {
		return nil, err
	}
	late, err := readCSV("admin_units_2025-03-01.csv")
	if err != nil {
		return nil, err
	}
	now, err := readCSV("communes_2025-07-01_with_english.csv")
	if err != nil {
		return nil, err
	}
	succ, err := readCSV("succession_2025-07-01.csv")
	if err != nil {
		return nil, err
	}
	earlySucc, err := readCSV("succession_2025-01-01.csv")
	if err != nil {
		return nil, err
	}
	aliases, err := readCSV("aliases.csv")
	if err != nil {
		return nil, err
	}
	s := &Set{}
	s.Units = append(s.Units, Unit{Code: ProvinceCode, Name: "Tỉnh Sơn La", NameEN: "Son La Province", Type: "Tỉnh", Level: LevelProvince})

	type key struct{ code, name string }
	inEarly := map[key]map[string]string{}
	inLate := map[key]bool{}
	earlyDistricts := map[key]map[string]string{}
	lateDistricts := map[key]map[string]string{}
	for _, r := range early {
		inEarly[key{r["level3_id"], r["level3_name"]}] = r
		earlyDistricts[key{r["level2_id"], r["level2_name"]}] = r
	}
	for _, r := range late {
		k := key{r["level3_id"], r["level3_name"]}
		inLate[k] = true
		from := time.Time{}
		if _, ok := inEarly[k]; !ok {
			from = EarlyReform
		}
		s.Units = append(s.Units, Unit{Code: r["level3_id"], Name: r["level3_name"], Type: r["level3_type"],
			Level: LevelCommune, ParentCode: r["level2_id"], ValidFrom: from, ValidTo: Reform})
		lateDistricts[key{r["level2_id"], r["level2_name"]}] = r
	}
	for k, r := range inEarly {
		if inLate[k] {
			continue
		}
		s.Units = append(s.Units, Unit{Code: k.code, Name: k.name, Type: r["level3_type"],
			Level: LevelCommune, ParentCode: r["level2_id"], ValidTo: EarlyReform})
	}
	for k, r := range lateDistricts {
		from := time.Time{}
		if _, ok := earlyDistricts[k]; !ok {
			from = EarlyReform
		}
		s.Units = append(s.Units, Unit{Code: k.code, Name: k.name, Type: r["level2_type"],
			Level: LevelDistrict, ParentCode: ProvinceCode, ValidFrom: from, ValidTo: Reform})
	}
	for k, r := range earlyDistricts {
		if _, ok := lateDistricts[k]; !ok {
			s.Units = append(s.Units, Unit{Code: k.code, Name: k.name, Type: r["level2_type"],
				Level: LevelDistrict, ParentCode: ProvinceCode, ValidTo: EarlyReform})
		}
	}
	for _, r := range now {
		typ, _, _ := strings.Cut(r["full_name"], " ")
		if strings.HasPrefix(r["full_name"], "Thị trấn") {
			typ = "Thị trấn"
		}
		s.Units = append(s.Units, Unit{Code: r["code"], Name: r["full_name"], NameEN: r["full_name_en"], Type: typ,
			Level: LevelCommune, ParentCode: ProvinceCode, ValidFrom: Reform})
	}
	for _, r := range earlySucc {
		s.Succession = append(s.Succession, Succession{OldCode: r["old_code"], OldName: r["old_name"],
			OldDistrict: r["old_district"], NewCode: r["new_code"], NewName: r["new_name"], Share: 1,
			Basis: "Kho: " + r["note"], Effective: EarlyReform})
	}
	for _, r := range succ {
		s.Succession = append(s.Succession, Succession{OldCode: r["old_code"], OldName: r["old_name"],
			OldDistrict: r["old_district"], NewCode: r["new_code"], NewName: r["new_name"], Share: 1,
			Basis: "NQ 1681/NQ-UBTVQH15 " + r["basis_NQ_1681_NQ-UBTVQH15"], Effective: Reform})
		// The resolution's spellings of old communes are aliases of them.
		for _, m := range nqSpelling.FindAllStringSubmatch(r["name_match_note"], -1) {
			aliases = append(aliases, map[string]string{"code": r["old_code"], "name": r["old_name"], "alias": prefixOf(r["old_name"]) + m[1]})
		}
	}
	for _, a := range aliases {
		found := false
		for i := range s.Units {
			u := &s.Units[i]
			if u.Level == LevelCommune && u.Code == a["code"] && u.Name == a["name"] {
				u.Aliases = append(u.Aliases, a["alias"])
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("seed aliases: no commune %s %s", a["code"], a["name"])
		}
	}
	sort.Slice(s.Units, func(i, j int) bool {
		a, b := s.Units[i], s.Units[j]
		if a.Level != b.Level {
			return a.Level > b.Level // province, district, commune
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.ValidFrom.Before(b.ValidFrom)
	})
	return s, nil
}

// CommunesAt returns the communes valid on day d, sorted by code.
func (s *Set) CommunesAt(d time.Time) []Unit { return s.unitsAt(LevelCommune, d) }

func (s *Set) unitsAt(level string, d time.Time) []Unit {
	var out []Unit
	for _, u := range s.Units {
		if u.Level == level && u.ValidAt(d) {
			out = append(out, u)
		}
	}
	return out
}

// nqSpelling finds the resolution's spelling in a succession note:
// `NQ writes "Nong Lay"; GSO "Noong Lay"`.
var nqSpelling = regexp.MustCompile(`NQ writes "([^"]+)"`)

// prefixOf returns the type prefix of an official name ("Xã ", "Thị trấn ").
func prefixOf(name string) string {
	for _, p := range []string{"Thị trấn ", "Phường ", "Xã "} {
		if strings.HasPrefix(name, p) {
			return p
		}
	}
	return ""
}

// Successor returns the commune of today that an old commune code (valid the
// day before the reform) became part of.
func (s *Set) Successor(oldCode string) (Succession, bool) {
	for _, x := range s.Succession {
		if x.OldCode == oldCode && x.Effective.Equal(Reform) {
			return x, true
		}
	}
	return Succession{}, false
}

// Share is a part of a fact that goes to a commune of today.
type Share struct {
	Code  string
	Share float64
}

// TodayOf returns the communes of today that the commune with code, valid on
// day, is or became part of, each with its share (1 when it went whole). It
// follows the succession across every change: a commune of 2024 goes to its
// unit of 01/03/2025 (itself when its code went on), then to today's. It
// returns nil when no commune with that code was valid on day.
func (s *Set) TodayOf(code string, day time.Time) []Share {
	var from *Unit
	for i := range s.Units {
		if u := &s.Units[i]; u.Level == LevelCommune && u.Code == code && u.ValidAt(day) {
			from = u
		}
	}
	if from == nil {
		return nil
	}
	return s.todayOf(*from, 1, 0)
}

func (s *Set) todayOf(u Unit, share float64, depth int) []Share {
	if u.ValidTo.IsZero() || depth > 4 {
		return []Share{{u.Code, share}}
	}
	var next []Share
	for _, x := range s.Succession {
		if x.OldCode == u.Code && x.Effective.Equal(u.ValidTo) {
			next = append(next, Share{x.NewCode, x.Share})
		}
	}
	if len(next) == 0 {
		next = []Share{{u.Code, 1}} // the code went on
	}
	var out []Share
	for _, n := range next {
		for _, v := range s.Units {
			if v.Level == LevelCommune && v.Code == n.Code && v.ValidFrom.Equal(u.ValidTo) {
				out = append(out, s.todayOf(v, share*n.Share, depth+1)...)
			}
		}
	}
	return out
}
