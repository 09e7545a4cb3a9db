package units

import (
	"fmt"
	"strings"
	"time"

	"github.com/sonla-data/kho/schemas/vntext"
)

// prefixes are the ways drops write a unit's type before its name, longest
// first, lower case, each with the type it stands for.
var prefixes = []struct{ text, typ string }{
	{"thành phố ", "Thành phố"}, {"thị trấn ", "Thị trấn"}, {"thị xã ", "Thị xã"},
	{"phường ", "Phường"}, {"huyện ", "Huyện"}, {"xã ", "Xã"},
	{"tp. ", "Thành phố"}, {"tp.", "Thành phố"}, {"tp ", "Thành phố"},
	{"tx. ", "Thị xã"}, {"tx.", "Thị xã"}, {"tx ", "Thị xã"},
	{"tt. ", "Thị trấn"}, {"tt.", "Thị trấn"}, {"tt ", "Thị trấn"},
	{"p. ", "Phường"}, {"p.", "Phường"}, {"x. ", "Xã"}, {"x.", "Xã"}, {"h. ", "Huyện"}, {"h.", "Huyện"},
}

// MatchKey is the key names are matched on (vntext.MatchKey: NFC, legacy text
// repaired, lower case, tone placement normalised, single spaces), without
// the type prefix, which is returned apart. Tone marks are kept: Chiềng Hắc
// and Chiềng Hặc are different communes.
func MatchKey(name string) (key, typ string) {
	s := vntext.MatchKey(name)
	for _, p := range prefixes {
		if strings.HasPrefix(s, p.text) && len(s) > len(p.text) {
			return strings.TrimSpace(s[len(p.text):]), p.typ
		}
	}
	return s, ""
}

// Key is the match key of a name without its prefix (MatchKey's first value).
func Key(name string) string { k, _ := MatchKey(name); return k }

// MatchError says why a value matched no unit or more than one.
type MatchError struct {
	Value      string
	Day        time.Time
	Candidates []Unit // empty: no unit matched
	// District is the qualifier that was given and matched no district.
	District string
}

func (e *MatchError) names() string {
	names := make([]string, len(e.Candidates))
	for i, u := range e.Candidates {
		names[i] = u.Code + " " + u.Name
		if u.ParentCode != "" && u.ParentCode != ProvinceCode {
			names[i] += " (" + u.ParentCode + ")"
		}
	}
	return strings.Join(names, "; ")
}

func (e *MatchError) Error() string {
	day := e.Day.Format("02/01/2006")
	switch {
	case e.District != "":
		return fmt.Sprintf("%q: district %q matches no district", e.Value, e.District)
	case len(e.Candidates) == 0:
		return fmt.Sprintf("%q matches no administrative unit valid on %s", e.Value, day)
	}
	return fmt.Sprintf("%q matches %d units valid on %s: %s", e.Value, len(e.Candidates), day, e.names())
}

// Reason is the English reason for the quarantine: as Error, without the
// value (a quarantine reason is read by tokens without the PII grant; the
// value is in raw_value). The candidates are units of the reference.
func (e *MatchError) Reason() string {
	day := e.Day.Format("02/01/2006")
	switch {
	case e.District != "":
		return "the district given with the value matches no district"
	case len(e.Candidates) == 0:
		return "the value matches no administrative unit valid on " + day
	}
	return fmt.Sprintf("the value matches %d units valid on %s: %s", len(e.Candidates), day, e.names())
}

// ReasonVI is the Vietnamese reason for the quarantine, without the value.
func (e *MatchError) ReasonVI() string {
	day := e.Day.Format("02/01/2006")
	switch {
	case e.District != "":
		return "huyện đi kèm giá trị không khớp huyện nào"
	case len(e.Candidates) == 0:
		return "giá trị không khớp đơn vị hành chính nào có hiệu lực ngày " + day
	}
	return fmt.Sprintf("giá trị khớp %d đơn vị có hiệu lực ngày %s: %s", len(e.Candidates), day, e.names())
}

// Matcher finds the unit a code or a name stands for on a given day.
type Matcher struct {
	byCode    map[string][]Unit
	byKey     map[string][]Unit
	districts *Matcher // for the district qualifier of communes
}

// NewMatcher indexes the units of one level, by code, by name and by their
// aliases.
func NewMatcher(s *Set, level string) *Matcher {
	m := &Matcher{byCode: map[string][]Unit{}, byKey: map[string][]Unit{}}
	for _, u := range s.Units {
		if u.Level != level {
			continue
		}
		m.byCode[u.Code] = append(m.byCode[u.Code], u)
		keys := map[string]bool{}
		for _, n := range append([]string{u.Name}, u.Aliases...) {
			k, _ := MatchKey(n)
			if !keys[k] {
				keys[k] = true
				m.byKey[k] = append(m.byKey[k], u)
			}
		}
	}
	if level == LevelCommune {
		m.districts = NewMatcher(s, LevelDistrict)
	}
	return m
}

// Match returns the one unit valid on day whose code or name is value. A name
// may carry a type prefix in any of the forms drops use ("Xã", "X.", "Phường",
// "P.", "Thị trấn", "TT.", "TP"), in any case, NFC or NFD, in a legacy
// encoding, with stray spaces, in an official alternative spelling, and a
// district after a comma, a dash or in brackets ("Chiềng Chung, Mai Sơn").
// No match or more than one is a *MatchError, never a guess.
func (m *Matcher) Match(value string, day time.Time) (Unit, error) {
	name, district := splitDistrict(value)
	return m.MatchIn(name, district, day)
}

// MatchIn is Match with the district given apart (a district column); an
// empty district does not narrow the match.
func (m *Matcher) MatchIn(value, district string, day time.Time) (Unit, error) {
	if v := vntext.Space(value, true); isDigits(v) {
		code := v
		if len(code) < 5 && len(code) > 2 && m.districts != nil {
			code = strings.Repeat("0", 5-len(code)) + code // codes that lost their leading zero in a spreadsheet
		}
		for _, u := range m.byCode[code] {
			if u.ValidAt(day) {
				return u, nil
			}
		}
		return Unit{}, &MatchError{Value: value, Day: day}
	}
	key, typ := MatchKey(value)
	var found []Unit
	for _, u := range m.byKey[key] {
		if u.ValidAt(day) && (typ == "" || u.Type == typ) {
			found = append(found, u)
		}
	}
	if district = strings.TrimSpace(district); district != "" && m.districts != nil {
		var err error
		found, err = m.inDistrict(found, value, district, day)
		if err != nil {
			return Unit{}, err
		}
	}
	if len(found) == 1 {
		return found[0], nil
	}
	return Unit{}, &MatchError{Value: value, Day: day, Candidates: found}
}

// inDistrict keeps the units of the named district. After the reform there
// are no districts: a district that existed before only names where the
// commune was, and does not narrow the match.
func (m *Matcher) inDistrict(found []Unit, value, district string, day time.Time) ([]Unit, error) {
	d, err := m.districts.Match(district, day)
	if err != nil {
		if !day.Before(Reform) {
			if _, perr := m.districts.Match(district, Reform.AddDate(0, 0, -1)); perr == nil {
				return found, nil
			}
		}
		return nil, &MatchError{Value: value, Day: day, District: district}
	}
	var in []Unit
	for _, u := range found {
		if u.ParentCode == d.Code {
			in = append(in, u)
		}
	}
	return in, nil
}

// splitDistrict cuts "Chiềng Chung, Mai Sơn", "Chiềng Chung - H. Mai Sơn" and
// "Chiềng Chung (Mai Sơn)" into the commune and the district.
func splitDistrict(v string) (name, district string) {
	if i := strings.IndexByte(v, '('); i > 0 && strings.HasSuffix(strings.TrimSpace(v), ")") {
		return strings.TrimSpace(v[:i]), strings.TrimSuffix(strings.TrimSpace(v[i+1:]), ")")
	}
	for _, sep := range []string{",", " - ", " – "} {
		if n, d, ok := strings.Cut(v, sep); ok {
			return strings.TrimSpace(n), strings.TrimSpace(d)
		}
	}
	return v, ""
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
