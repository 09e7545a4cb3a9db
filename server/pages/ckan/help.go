package ckan

import "net/http"

// helps are the actions' documentation, which help_show returns (CKAN
// returns the action function's docstring; these say what this portal
// does).
var helps = map[string]string{
	"package_list": `Return a list of the names of the site's datasets (packages).

:param limit: if given, the list of datasets will be broken into pages of at most limit datasets per page
:type limit: int
:param offset: when limit is given, the offset to start returning packages from
:type offset: int
:rtype: list of strings`,
	"package_show": `Return the metadata of a dataset (package) and its resources.

:param id: the id or name of the dataset
:type id: string
:rtype: dictionary`,
	"package_search": `Searches for packages satisfying a given search criteria.

Vietnamese is searched by whole words, with or without diacritics; every word must be found, and a word
of a title ranks before the same word in a description or a publisher's name.

:param q: the search query: words, "a phrase", field:value (title:, notes:, name:, tags:, organization:,
    groups:, res_format:, license_id:), -field:value to exclude
:type q: string
:param fq: a filter query of field:value terms, matched exactly
:type fq: string
:param sort: sorting of the search results: score, name, title_string, metadata_modified or
    metadata_created, each asc or desc, separated by commas. Default "score desc, metadata_modified desc"
:type sort: string
:param rows: the maximum number of matching rows (datasets) to return (default 10, at most 1000)
:type rows: int
:param start: the offset in the complete result for where the set of returned datasets should begin
:type start: int
:param facet.field: the fields to facet upon, a JSON list. Default
    ["organization", "groups", "tags", "res_format", "license_id"]
:type facet.field: list of strings
:param facet.limit: the maximum number of values the facet fields return (default 50; negative: all)
:type facet.limit: int
:param facet.mincount: the minimum counts for facet fields to be included in the results (default 1)
:type facet.mincount: int
:rtype: dictionary with count, results, facets, search_facets and sort`,
	"resource_show": `Return the metadata of a resource.

:param id: the id of the resource
:type id: string
:rtype: dictionary`,
	"organization_list": `Return a list of the names of the site's organizations.

:param sort: name, title or package_count, then asc or desc (default "title asc")
:type sort: string
:param limit: the maximum number of organizations returned
:type limit: int
:param offset: when limit is given, the offset to start returning organizations from
:type offset: int
:param all_fields: return group dictionaries instead of just names
:type all_fields: bool
:rtype: list of strings`,
	"organization_show": `Return the details of an organization.

:param id: the id or name of the organization
:type id: string
:param include_datasets: include a list of the organization's datasets
:type include_datasets: bool
:rtype: dictionary`,
	"group_list": `Return a list of the names of the site's groups (the warehouse's domains).

:param sort: name, title or package_count, then asc or desc (default "title asc")
:type sort: string
:param limit: the maximum number of groups returned
:type limit: int
:param offset: when limit is given, the offset to start returning groups from
:type offset: int
:param all_fields: return group dictionaries instead of just names
:type all_fields: bool
:rtype: list of strings`,
	"group_show": `Return the details of a group (a domain of the warehouse).

:param id: the id or name of the group
:type id: string
:param include_datasets: include a list of the group's datasets
:type include_datasets: bool
:rtype: dictionary`,
	"tag_list": `Return a list of the site's tags.

:param query: a tag name query to search for; only tags whose names contain this string are returned
:type query: string
:param all_fields: return full tag dictionaries instead of just names
:type all_fields: bool
:rtype: list of strings`,
	"license_list": `Return the list of licenses available for datasets on the site.

:rtype: list of dictionaries`,
	"status_show": `Return a dictionary with information about the site's configuration.

:rtype: dictionary`,
	"help_show": `Return the help string for a particular API action.

:param name: Action function name (e.g. package_show)
:type name: string
:returns: The help string for the action function, or None if the function does not have a docstring.
:rtype: string`,
	"datastore_search": `Search a DataStore resource.

:param resource_id: id of the resource to be searched against
:type resource_id: string
:param filters: matching conditions to select, e.g {"key1": "a", "key2": ["b", "c"]} (optional)
:type filters: dictionary
:param q: full text query: rows where any field contains it (optional)
:type q: string
:param distinct: return only distinct rows (optional, default: false)
:type distinct: bool
:param limit: maximum number of rows to return (optional, default: 100, at most 32000)
:type limit: int
:param offset: offset this number of rows (optional)
:type offset: int
:param fields: fields to return (optional, default: all fields in original order)
:type fields: list or comma separated string
:param sort: comma separated field names with ordering, e.g.: "fieldname1, fieldname2 desc"
:type sort: string
:param include_total: True to return total matching record count (optional, default: true)
:type include_total: bool
:param records_format: the format for the records return value: objects (default) or lists
:type records_format: string

Each row's _id is its position in the table's stable order (its key), the same whatever the query.

**Results:**

:returns: fields, offset, limit, filters, total, records and _links (start, next: the same query's
    first and next page)
:rtype: dictionary`,
}

func (h *Handler) helpShow(_ *http.Request, p params) (any, error) {
	name := p.str("name")
	if name == "" {
		return nil, validation("name", "Missing value")
	}
	doc, ok := helps[name]
	if !ok {
		return nil, notFound("Action function not found")
	}
	return doc, nil
}
