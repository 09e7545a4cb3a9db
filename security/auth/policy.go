package auth

import (
	"strings"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Kind is what kind of table an object is.
type Kind int

// The kinds of objects.
const (
	Dataset Kind = iota + 1
	Quarantine
	Mart
)

func (k Kind) String() string {
	switch k {
	case Dataset:
		return "dataset"
	case Quarantine:
		return "quarantine"
	case Mart:
		return "mart"
	}
	return "unknown"
}

// Object is a table as the policy sees it.
type Object struct {
	Name           string // namespace.table
	Kind           Kind
	Classification string // open | shared | restricted (datasets and their quarantines)
	Owner          string // owner agency
}

// CanRead applies the rule of the package comment.
func (p Principal) CanRead(o Object) bool {
	if p.granted(o.Name) {
		return true
	}
	switch o.Kind {
	case Dataset:
		switch o.Classification {
		case "open":
			return true
		case "shared":
			return p.in(Engineer, Analyst, Admin) && p.ofAgency(o.Owner)
		}
		return false
	case Mart:
		return p.in(Dashboard, Analyst, Engineer, Admin)
	case Quarantine:
		return p.in(Engineer, Admin) && p.ofAgency(o.Owner)
	}
	return false
}

func (p Principal) in(roles ...Role) bool {
	for _, r := range roles {
		if p.Role == r {
			return true
		}
	}
	return false
}

func (p Principal) ofAgency(owner string) bool {
	a := normAgency(p.Agency)
	return a != "" && a == normAgency(owner)
}

// granted reports whether a grant of p names the table, or its domain.
func (p Principal) granted(name string) bool {
	if p.Role == Public {
		return false
	}
	name = strings.ToLower(name)
	ns, _, _ := strings.Cut(name, ".")
	for _, g := range p.Grants {
		g = strings.ToLower(strings.TrimSpace(g))
		if g == name || g == ns+".*" {
			return true
		}
	}
	return false
}

var folder = cases.Fold()

// normAgency compares agency names by their letters: NFC, case-folded,
// spaces collapsed.
func normAgency(s string) string {
	return strings.Join(strings.Fields(folder.String(norm.NFC.String(s))), " ")
}
