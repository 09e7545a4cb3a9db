package units

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// prefixes are the ways drops write a unit's type before its name, longest
// first, lower case, each with the type it stands for.
var prefixes = []struct{ text, typ string }{
	{"thành phố ", "Thành phố"}, {"thị trấn ", "Thị trấn"}, {"thị xã ", "Thị xã"},
	{"phường ", "Phường"}, {"huyện ", "Huyện"}, {"xã ", "Xã"},
	{"tp. ", "Thành phố"}, {"tp.", "Thành phố"}, {"tp ", "Thành phố"},
	{"tx. ", "Thị xã"}, {"tx.", "Thị xã"}, {"tt. ", "Thị trấn"}, {"tt.", "Thị trấn"}, {"tt ", "Thị trấn"},
	{"p. ", "Phường"}, {"p.", "Phường"}, {"x. ", "Xã"}, {"x.", "Xã"}, {"h. ", "Huyện"}, {"h.", "Huyện"},
}

// MatchKey is the key names are matched on: NFC, lower case, single spaces,
// without the type prefix. Tone marks are kept: Chiềng Hắc and Chiềng Hặc are
// different communes.
func MatchKey(name string) (key, typ string) {
	s := strings.ToLower(norm.NFC.String(name))
	s = strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
	for _, p := range prefixes {
		if strings.HasPrefix(s, p.text) && len(s) > len(p.text) {
			return strings.TrimSpace(s[len(p.text):]), p.typ
		}
	}
	return s, ""
}

// MatchError says why a value matched no unit or more than one.
type MatchError struct {
	Value      string
	Day        time.Time
	Candidates []Unit // empty: no unit matched
}

func (e *MatchError) Error() string {
	day := e.Day.Format("02/01/2006")
	if len(e.Candidates) == 0 {
		return fmt.Sprintf("%q matches no administrative unit valid on %s", e.Value, day)
	}
	names := make([]string, len(e.Candidates))
	for i, u := range e.Candidates {
		names[i] = u.Code + " " + u.Name
	}
	return fmt.Sprintf("%q matches %d units valid on %s: %s", e.Value, len(e.Candidates), day, strings.Join(names, "; "))
}

// ReasonVI is the Vietnamese reason for the quarantine.
func (e *MatchError) ReasonVI() string {
	day := e.Day.Format("02/01/2006")
	if len(e.Candidates) == 0 {
		return fmt.Sprintf("%q không khớp đơn vị hành chính nào có hiệu lực ngày %s", e.Value, day)
	}
	names := make([]string, len(e.Candidates))
	for i, u := range e.Candidates {
		names[i] = u.Code + " " + u.Name
	}
	return fmt.Sprintf("%q khớp %d đơn vị có hiệu lực ngày %s: %s", e.Value, len(e.Candidates), day, strings.Join(names, "; "))
}

// Matcher finds the unit a code or a name stands for on a given day.
type Matcher struct {
	byCode map[string][]Unit
	byKey  map[string][]Unit
}

// NewMatcher indexes the units of one level.
func NewMatcher(s *Set, level string) *Matcher {
	m := &Matcher{byCode: map[string][]Unit{}, byKey: map[string][]Unit{}}
	for _, u := range s.Units {
		if u.Level != level {
			continue
		}
		m.byCode[u.Code] = append(m.byCode[u.Code], u)
		k, _ := MatchKey(u.Name)
		m.byKey[k] = append(m.byKey[k], u)
	}
	return m
}

// Match returns the one unit valid on day whose code or name is value. A name
// may carry a type prefix in any of the forms drops use, in any case, NFC or
// NFD. No match or more than one is a *MatchError, never a guess.
func (m *Matcher) Match(value string, day time.Time) (Unit, error) {
	v := strings.TrimSpace(value)
	if isDigits(v) {
		code := v
		if len(code) < 5 && len(code) > 2 {
			code = strings.Repeat("0", 5-len(code)) + code // codes that lost their leading zero in a spreadsheet
		}
		for _, u := range m.byCode[code] {
			if u.ValidAt(day) {
				return u, nil
			}
		}
		return Unit{}, &MatchError{Value: value, Day: day}
	}
	key, typ := MatchKey(v)
	var found []Unit
	for _, u := range m.byKey[key] {
		if u.ValidAt(day) && (typ == "" || u.Type == typ) {
			found = append(found, u)
		}
	}
	if len(found) == 1 {
		return found[0], nil
	}
	return Unit{}, &MatchError{Value: value, Day: day, Candidates: found}
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
