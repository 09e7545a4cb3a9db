// Package dcat publishes the open-data catalog as DCAT-AP metadata for the
// national portal and other harvesters: JSON-LD at /catalog.jsonld and
// RDF/XML at /catalog.rdf. Both are written from one graph (graph.go), so
// they state the same triples: a dcat:Catalog whose dcat:Dataset nodes carry
// dct:title in Vietnamese and English, dct:description, dct:publisher,
// dct:modified, dct:license, dct:accrualPeriodicity, dcat:landingPage and a
// dcat:Distribution per download format (dcat:downloadURL, dct:format,
// dcat:mediaType).
package dcat
