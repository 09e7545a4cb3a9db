package ckan

import (
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/sonla-data/kho/server/pages/opendata"
	"github.com/sonla-data/kho/server/pages/site"
)

// The search of package_search, written here because the portal has no Solr:
// Vietnamese is searched by whole words (syllables), with or without
// diacritics ("truong hoc" finds "trường học"), every word of q must be
// found, and the fields weigh differently, so that a word of a title ranks
// before the same word in a description or in the publisher's name
// ("trường" ranks the schools before the datasets of "Sở Nông nghiệp và Môi
// trường"). A word typed with its diacritics weighs a little more where it
// is found with the same diacritics, and q's words found side by side, as a
// phrase, weigh more than the same words apart.

// textField is a searchable field of a dataset and its weight.
type textField struct {
	name   string // CKAN's field name in a field query (title:…)
	weight float64
	texts  func(d *opendata.Dataset) []string
}

var textFields = []textField{
	{"title", 10, func(d *opendata.Dataset) []string { return []string{d.Title, d.TitleEN} }},
	{"tags", 6, func(d *opendata.Dataset) []string { return tagNames(d) }},
	{"name", 4, func(d *opendata.Dataset) []string { return []string{d.ID, d.Name} }},
	{"notes", 3, func(d *opendata.Dataset) []string { return []string{d.Description, d.DescriptionEN} }},
	{"res_description", 1.5, func(d *opendata.Dataset) []string {
		var out []string
		for _, c := range d.Columns {
			out = append(out, c.Label, c.LabelEN)
		}
		return out
	}},
	{"organization", 1, func(d *opendata.Dataset) []string { return []string{d.Publisher.Name, d.Publisher.ID} }},
}

// tagNames are a dataset's tags: its schema's keywords, then its domain's
// Vietnamese and English names.
func tagNames(d *opendata.Dataset) []string {
	var out []string
	if d.Schema != nil {
		out = append(out, d.Schema.Keywords...)
	}
	return append(out, site.VI.T("domain_"+d.Domain), site.EN.T("domain_"+d.Domain))
}

// word is one word of a text: lowercased as written, and folded (no
// diacritics).
type word struct{ exact, folded string }

func splitWords(s string) []word {
	s = norm.NFC.String(strings.ToLower(s))
	var out []word
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) }) {
		out = append(out, word{exact: w, folded: opendata.Fold(w)})
	}
	return out
}

// textQuery is the free text of a search, within some fields (all when
// fields is empty).
type textQuery struct {
	words  []word
	fields map[string]bool
}

// indexed is a dataset's words, per field.
type indexed struct {
	d      *opendata.Dataset
	fields [][][]word // per textFields entry, per text
}

func index(d *opendata.Dataset) *indexed {
	ix := &indexed{d: d}
	for _, f := range textFields {
		var texts [][]word
		for _, t := range f.texts(d) {
			texts = append(texts, splitWords(t))
		}
		ix.fields = append(ix.fields, texts)
	}
	return ix
}

// score is how well the dataset matches every text query (0: it does not).
func (ix *indexed) score(qs []textQuery) float64 {
	total := 1.0
	for _, q := range qs {
		s := ix.scoreOne(q)
		if s == 0 {
			return 0
		}
		total += s
	}
	return total
}

func (ix *indexed) scoreOne(q textQuery) float64 {
	if len(q.words) == 0 {
		return 1
	}
	total := 0.0
	for _, w := range q.words {
		best := 0.0
		for i, f := range textFields {
			if len(q.fields) > 0 && !q.fields[f.name] {
				continue
			}
			for _, text := range ix.fields[i] {
				// A tag is one term: "trường" is not the tag "Môi trường".
				if f.name == "tags" && !hasPhrase(q.words, text) {
					continue
				}
				for _, t := range text {
					if t.folded != w.folded {
						continue
					}
					s := f.weight
					if t.exact == w.exact {
						s *= 1.25
					}
					best = max(best, s)
				}
			}
		}
		if best == 0 {
			return 0
		}
		total += best
	}
	// The words side by side, in their order.
	if len(q.words) > 1 {
		phrase := 0.0
		for i, f := range textFields {
			if len(q.fields) > 0 && !q.fields[f.name] {
				continue
			}
			for _, text := range ix.fields[i] {
				if hasPhrase(text, q.words) {
					phrase = max(phrase, 2*f.weight*float64(len(q.words)))
				}
			}
		}
		total += phrase
	}
	return total
}

func hasPhrase(text, ws []word) bool {
	for i := 0; i+len(ws) <= len(text); i++ {
		ok := true
		for j, w := range ws {
			if text[i+j].folded != w.folded {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// clause is one part of a Solr query: [+|-][field:](word | "phrase").
type clause struct {
	field, value string
	negate       bool
}

// parseQuery splits a q or fq into clauses. A bare word has no field.
func parseQuery(s string) []clause {
	var out []clause
	rs := []rune(s)
	for i := 0; i < len(rs); {
		for i < len(rs) && unicode.IsSpace(rs[i]) {
			i++
		}
		if i >= len(rs) {
			break
		}
		c := clause{}
		switch rs[i] {
		case '-', '!':
			c.negate = true
			i++
		case '+':
			i++
		}
		// field name
		j := i
		for j < len(rs) && (rs[j] == '_' || rs[j] == '.' || (rs[j] < 128 && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j])))) {
			j++
		}
		if j < len(rs) && rs[j] == ':' && j > i {
			c.field = string(rs[i:j])
			i = j + 1
		}
		// value
		if i < len(rs) && (rs[i] == '"' || rs[i] == '(') {
			end := '"'
			if rs[i] == '(' {
				end = ')'
			}
			k := i + 1
			for k < len(rs) && rs[k] != end {
				k++
			}
			c.value = string(rs[i+1 : min(k, len(rs))])
			i = k + 1
		} else {
			k := i
			for k < len(rs) && !unicode.IsSpace(rs[k]) {
				k++
			}
			c.value = string(rs[i:k])
			i = k
		}
		c.value = strings.TrimSpace(c.value)
		switch {
		case c.field == "" && (c.value == "AND" || c.value == "&&" || c.value == "OR" || c.value == "||"):
			continue
		case c.field == "" && c.value == "NOT":
			continue
		}
		if c.value == "" && c.field == "" {
			continue
		}
		out = append(out, c)
	}
	return out
}

// searchQuery is a parsed package_search: text queries and filters.
type searchQuery struct {
	text    []textQuery
	filters []fqTerm
	not     []textQuery // text that must not match
}

// textFieldNames are the fields whose words a field query searches
// (title:trường), mapped to the text field ("" for every field).
var textFieldNames = map[string]string{"title": "title", "title_en": "title", "res_name": "title", "notes": "notes",
	"description": "notes", "text": "", "q": "", "author": "organization", "maintainer": "organization",
	"res_description": "res_description"}

func (sq *searchQuery) add(cs []clause) {
	var free []word
	for _, c := range cs {
		if c.value == "*" || c.value == "*:*" || (c.field == "*" && c.value == "*") {
			continue // every dataset
		}
		tf, isText := textFieldNames[c.field]
		if c.field != "" && !isText {
			sq.filters = append(sq.filters, fqTerm{field: c.field, value: c.value, negate: c.negate})
			continue
		}
		tq := textQuery{words: splitWords(c.value)}
		if tf != "" {
			tq.fields = map[string]bool{tf: true}
		}
		switch {
		case len(tq.words) == 0:
		case c.negate:
			sq.not = append(sq.not, tq)
		case c.field == "" && !strings.ContainsAny(c.value, " \t"):
			free = append(free, tq.words...) // bare words are one query, so they rank as a phrase
		default:
			sq.text = append(sq.text, tq)
		}
	}
	if len(free) > 0 {
		sq.text = append(sq.text, textQuery{words: free})
	}
}

// hit is a dataset found, with its score.
type hit struct {
	d     *opendata.Dataset
	score float64
}

// search runs a query over the datasets; hits sorted by score, then name.
func (h *Handler) search(ds []*opendata.Dataset, sq *searchQuery) []hit {
	var out []hit
	for _, d := range ds {
		if !h.matchFQ(d, sq.filters) {
			continue
		}
		ix := index(d)
		s := ix.score(sq.text)
		if s == 0 {
			continue
		}
		excluded := false
		for _, n := range sq.not {
			if ix.scoreOne(n) > 0 && len(n.words) > 0 {
				excluded = true
			}
		}
		if !excluded {
			out = append(out, hit{d: d, score: s})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].d.ID < out[j].d.ID
	})
	return out
}
