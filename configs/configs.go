// Package configs embeds Kho's default configuration and the province's
// pipelines, so that the binary runs with no files beside it.
package configs

import "embed"

// Default is kho.yaml: the built-in defaults.
//
//go:embed kho.yaml
var Default []byte

// Pipelines holds pipelines/*.yaml.
//
//go:embed pipelines/*.yaml
var Pipelines embed.FS
