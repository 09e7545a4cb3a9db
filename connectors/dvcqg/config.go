package dvcqg

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sonla-data/kho/connectors"
)

func init() {
	connectors.Register(connectors.Spec{
		Name:      "dvcqg",
		Summary:   "dossier records of the national public-service portal (DongBoHoSoMC / CapNhatTienDoHoSoMC JSON)",
		NewConfig: func() connectors.Config { return NewConfig() },
	})
}

// The record kinds a source can read.
const (
	RecordDossiers  = "dossiers"
	RecordDocuments = "documents"
	RecordResults   = "results"
	RecordProgress  = "progress"
)

// Config is the `source:` block of a pipeline reading DVCQG dossier files.
type Config struct {
	// Path is a file or a glob (path/filepath.Match syntax) relative to the
	// pipeline's folder; matching files are read in sorted order.
	Path string `yaml:"path"`
	// Record is what one row is: dossiers (default), documents, results or
	// progress.
	Record string `yaml:"record"`
	// Incremental skips dossiers (or steps) not newer than the stored
	// watermark.
	Incremental *Incremental `yaml:"incremental"`
}

// Incremental names the date field compared with the watermark.
type Incremental struct {
	// Column is a yyyyMMddHHmmss field: NgayTiepNhan, NgayNopHoSo, ... for
	// dossiers, documents and results; ThoiDiemXuLy, ... for progress.
	Column string `yaml:"column"`
}

// NewConfig returns a config with its defaults: record dossiers.
func NewConfig() *Config { return &Config{Record: RecordDossiers} }

// Validate reports every problem of the config at once.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("source.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if strings.TrimSpace(c.Path) == "" {
		bad("path", "give a file or a glob of files")
	} else if _, err := filepath.Match(c.Path, ""); err != nil {
		bad("path", "%q is not a valid glob: %v", c.Path, err)
	}
	kind, ok := records[c.Record]
	if !ok {
		bad("record", "%q is not one of dossiers, documents, results, progress", c.Record)
	}
	if inc := c.Incremental; inc != nil && ok {
		dates := dossierDates
		if kind.service == ServiceProgress {
			dates = progressDates
		}
		if !slices.Contains(dates, inc.Column) {
			bad("incremental.column", "%q is not a date field of %s records; use one of %s",
				inc.Column, c.Record, strings.Join(dates, ", "))
		}
	}
	return errors.Join(errs...)
}
