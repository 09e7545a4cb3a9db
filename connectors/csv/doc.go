// Package csv is the "csv" connector: it streams delimited text files (one
// file or a glob of them) as Arrow batches of text columns, detecting the
// encoding (UTF-8, UTF-16, Windows-1258 and the legacy TCVN3 and VNI) and the
// delimiter, and turning every line it cannot read as it should into a bad row
// for the conform step to quarantine. See README.md for the configuration.
package csv
