// Package schemas holds the conformed schemas of the province's datasets
// (schemas/<domain>/<dataset>.yaml, embedded in the binary) and the conform
// engine that turns a source's Arrow batches into rows of a dataset: renaming,
// casting, normalising Vietnamese text, matching administrative units at the
// row's own date and checking rules, with every bad row sent to quarantine
// together with its reason.
package schemas
