// Package provenance names the reserved columns a source adds to its batches
// so that a bad row can be traced back to where it came from. The connectors
// write them and the conform step (schemas) reads and drops them; they live
// here, in a package that imports nothing of Kho, so that neither of the two
// folders has to import the other for three names.
//
// File is the path (or URL, or table) the row was read from and Row its
// 1-based line or row number in that file (for a database, the ordinal of the
// row in the result). Error, when present and not null on a row, says that
// the source could not read that row as it should (a ragged CSV line, a
// broken JSON record): the text names the column and what was wrong, and the
// conform step quarantines the row with that reason instead of loading it.
package provenance

import "strings"

// The reserved column names.
const (
	File  = "_kho_file"
	Row   = "_kho_row"
	Error = "_kho_error"
)

// Prefix starts every reserved column name; the conform step never maps a
// source column with this prefix to a dataset column.
const Prefix = "_kho_"

// Reserved reports whether name is a reserved column name (any name with
// Prefix).
func Reserved(name string) bool { return strings.HasPrefix(name, Prefix) }
