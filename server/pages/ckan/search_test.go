package ckan

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/server/pages/opendata"
	"github.com/sonla-data/kho/server/pages/site"
)

// embeddedDatasets are the province's open schemas as the portal describes
// them (no lake needed: the search reads metadata only).
func embeddedDatasets(t *testing.T) []*opendata.Dataset {
	set, err := schemas.LoadEmbedded()
	require.NoError(t, err)
	var out []*opendata.Dataset
	for _, s := range set.All() {
		if !opendata.Publishable(s) {
			continue
		}
		d := &opendata.Dataset{Schema: s, ID: opendata.IDOf(s.Name), Name: s.Name, Domain: s.Namespace(), Title: s.Label,
			TitleEN: s.LabelEN, Description: s.DescriptionVI, DescriptionEN: s.Description,
			Publisher: opendata.Org{ID: opendata.Slug(s.Owner), Name: s.Owner}, Columns: opendata.PublicColumns(s)}
		out = append(out, d)
	}
	return out
}

func searchIDs(t *testing.T, q, fq string) []string {
	h := New(opendata.New(&site.Deps{}, opendata.Options{}))
	sq := &searchQuery{}
	sq.add(parseQuery(q))
	sq.add(parseQuery(fq))
	var out []string
	for _, x := range h.search(embeddedDatasets(t), sq) {
		out = append(out, x.d.ID)
	}
	return out
}

// TestVietnameseSearch: words are whole Vietnamese words, with or without
// diacritics, and a title match ranks first.
func TestVietnameseSearch(t *testing.T) {
	all := embeddedDatasets(t)
	withDiacritics := searchIDs(t, "trường học", "")
	require.NotEmpty(t, withDiacritics, "trường học finds the schools")
	assert.Equal(t, "education-schools", withDiacritics[0], "first hit of trường học: %v", withDiacritics)
	for _, id := range withDiacritics[:2] {
		assert.Equal(t, "education", domainOf(all, id), "trường học finds the education datasets first: %v", withDiacritics)
	}
	assert.Equal(t, withDiacritics, searchIDs(t, "truong hoc", ""), "without diacritics: the same hits")
	assert.Contains(t, withDiacritics, "education-schools")

	// "trường" is a word of "Sở Nông nghiệp và Môi trường", the publisher of
	// the agriculture datasets: they may match, after every dataset whose
	// title or description speaks of schools.
	one := searchIDs(t, "trường", "")
	require.NotEmpty(t, one)
	assert.Equal(t, "education", domainOf(all, one[0]), "trường: %v", one)
	lastEducation, firstAgriculture := -1, len(one)
	for i, id := range one {
		switch domainOf(all, id) {
		case "education":
			lastEducation = i
		case "agriculture", "environment":
			firstAgriculture = min(firstAgriculture, i)
		}
	}
	assert.Less(t, lastEducation, firstAgriculture, "trường: the schools before Môi trường's datasets: %v", one)
	// A whole word only: "truong" is not "truongx", "hoc" not "học sinh"'s prefix.
	assert.Empty(t, searchIDs(t, "truon", ""), "a piece of a word finds nothing")

	// A title match ranks first: "y tế" is in the titles of health datasets
	// and only in the publisher of others.
	health := searchIDs(t, "y tế", "")
	require.NotEmpty(t, health)
	assert.Equal(t, "health", domainOf(all, health[0]))

	// Field queries: title:x searches titles only.
	titled := searchIDs(t, "title:thư viện", "")
	assert.Equal(t, []string{"culture_tourism-libraries"}, titled)
	assert.Empty(t, searchIDs(t, "title:nông", ""), "no title has the word nông")
	assert.NotEmpty(t, searchIDs(t, "nông", ""), "a publisher and a domain do")
	assert.Equal(t, searchIDs(t, `title:"thư viện"`, ""), titled)
	// Filters are exact; -field:value excludes.
	for _, id := range searchIDs(t, "", "organization:so-y-te") {
		assert.Equal(t, "health", domainOf(all, id))
	}
	assert.Empty(t, searchIDs(t, "", "organization:so-y"), "an organisation is matched whole")
	noHealth := searchIDs(t, "", "-groups:health")
	for _, id := range noHealth {
		assert.NotEqual(t, "health", domainOf(all, id))
	}
	assert.Len(t, noHealth, len(all)-len(searchIDs(t, "", "groups:health")))
}

func domainOf(ds []*opendata.Dataset, id string) string {
	for _, d := range ds {
		if d.ID == id {
			return d.Domain
		}
	}
	return ""
}

func TestParseQuery(t *testing.T) {
	got := parseQuery(`title:"trường học" -organization:so-y-te +tags:Giáo y tế AND res_format:CSV`)
	assert.Equal(t, []clause{{field: "title", value: "trường học"}, {field: "organization", value: "so-y-te", negate: true},
		{field: "tags", value: "Giáo"}, {value: "y"}, {value: "tế"}, {field: "res_format", value: "CSV"}}, got)
}
