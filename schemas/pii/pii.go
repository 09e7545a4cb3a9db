// Package pii finds personal data in columns that are not tagged as holding
// it: Vietnamese citizen ids (CCCD, 12 digits; the old CMND, 9 digits),
// mobile phone numbers, e-mail addresses, tax codes (10 digits, or 13 with a
// dash for a branch) and social-insurance numbers (10 digits). A Sampler sees
// the first values of a column and reports the kinds that more than a given
// share of them look like.
package pii

import (
	"regexp"
	"sort"
	"strings"
)

// Kinds of personal data the detectors find.
const (
	CCCD            = "cccd"
	CMND            = "cmnd"
	Phone           = "phone"
	Email           = "email"
	TaxCode         = "tax_code"
	SocialInsurance = "social_insurance"
)

// Tag is the schema's PII tag for a detected kind (a CMND is tagged cccd).
func Tag(kind string) string {
	if kind == CMND {
		return CCCD
	}
	return kind
}

var (
	phoneRe = regexp.MustCompile(`^(?:\+84|84|0)[35789]\d{8}$`)
	emailRe = regexp.MustCompile(`^[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$`)
	taxRe   = regexp.MustCompile(`^\d{10}(?:-\d{3})?$`)
)

func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Detect returns the kinds of personal data a value looks like. A ten-digit
// number that is not a phone number is both a possible tax code and a
// possible social-insurance number.
func Detect(v string) []string {
	s := strings.TrimSpace(v)
	if len(s) < 9 || len(s) > 254 {
		return nil
	}
	switch {
	case strings.Contains(s, "@"):
		if emailRe.MatchString(s) {
			return []string{Email}
		}
		return nil
	case phoneRe.MatchString(strings.NewReplacer(" ", "", ".", "", "-", "").Replace(s)) && !strings.Contains(s[1:], "-"):
		return []string{Phone}
	case digits(s, 12):
		return []string{CCCD}
	case digits(s, 9):
		return []string{CMND}
	case digits(s, 10):
		return []string{TaxCode, SocialInsurance}
	case taxRe.MatchString(s):
		return []string{TaxCode}
	}
	return nil
}

// Finding is a column that looks like it holds personal data.
type Finding struct {
	Column  string  `json:"column"`
	Kind    string  `json:"kind"`
	Sampled int     `json:"sampled"`
	Matched int     `json:"matched"`
	Share   float64 `json:"share"`
}

// Sampler counts, for each column, how many of its first Limit non-empty
// values each detector matches.
type Sampler struct {
	Limit     int     // values sampled per column (default 1000)
	Threshold float64 // share above which a kind is reported (default 0.2)
	sampled   map[string]int
	matched   map[string]map[string]int
}

// NewSampler returns a sampler with the given limit and threshold (0 for the
// defaults).
func NewSampler(limit int, threshold float64) *Sampler {
	if limit <= 0 {
		limit = 1000
	}
	if threshold <= 0 {
		threshold = 0.2
	}
	return &Sampler{Limit: limit, Threshold: threshold, sampled: map[string]int{}, matched: map[string]map[string]int{}}
}

// Wants reports whether the sampler still takes values of column.
func (s *Sampler) Wants(column string) bool { return s.sampled[column] < s.Limit }

// Add samples one non-empty value of column.
func (s *Sampler) Add(column, value string) {
	if !s.Wants(column) {
		return
	}
	s.sampled[column]++
	for _, k := range Detect(value) {
		m := s.matched[column]
		if m == nil {
			m = map[string]int{}
			s.matched[column] = m
		}
		m[k]++
	}
}

// Findings lists the column-kind pairs above the threshold, by column then kind.
func (s *Sampler) Findings() []Finding {
	var out []Finding
	for col, kinds := range s.matched {
		n := s.sampled[col]
		for k, m := range kinds {
			if share := float64(m) / float64(n); share > s.Threshold {
				out = append(out, Finding{Column: col, Kind: k, Sampled: n, Matched: m, Share: share})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Column != out[j].Column {
			return out[i].Column < out[j].Column
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}
