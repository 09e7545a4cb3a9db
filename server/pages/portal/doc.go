// Package portal serves the open-data portal's pages: the catalog of open
// datasets with search and filters by domain and agency (/open), a page per
// dataset with its metadata, schema and a preview (/open/datasets/{id}), and
// downloads in CSV (UTF-8 with a BOM, for Excel), JSON and Parquet. It needs
// no login and shows only what package opendata publishes.
package portal
