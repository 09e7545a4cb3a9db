package excel

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/sonla-data/kho/connectors"
)

func init() {
	connectors.Register(connectors.Spec{
		Name:      "excel",
		Summary:   "sheets of .xlsx workbooks: report titles, dates, legacy Vietnamese fonts, totals and signatures handled",
		NewConfig: func() connectors.Config { return NewConfig() },
	})
}

// maxHeaderSearch is how many rows the automatic header search looks at.
const maxHeaderSearch = 30

// Config is the `source:` block of a pipeline with `type: excel`.
type Config struct {
	// Path is a file or a glob, relative to the pipeline's folder.
	Path string `yaml:"path"`
	// Sheets names the sheets to read (default: every sheet, in workbook order).
	Sheets []string `yaml:"sheets"`
	// HeaderRow is the 1-based row of the header; 0 finds it in the first 30 rows.
	HeaderRow int `yaml:"header_row"`
	// SkipTrailer leaves out total rows and the signature block.
	SkipTrailer bool `yaml:"skip_trailer"`
	// RepairLegacy repairs TCVN3/VNI mojibake in every text value, whatever its font.
	RepairLegacy bool `yaml:"repair_legacy"`
}

// NewConfig returns a config with the defaults filled in.
func NewConfig() *Config { return &Config{SkipTrailer: true} }

// Validate reports every problem of the config at once.
func (c *Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.Path) == "" {
		errs = append(errs, errors.New("source.path: required"))
	} else if err := connectors.CheckGlob(c.Path); err != nil {
		errs = append(errs, err)
	}
	for i, s := range c.Sheets {
		if strings.TrimSpace(s) == "" {
			errs = append(errs, fmt.Errorf("source.sheets[%d]: empty sheet name", i))
		}
	}
	if c.HeaderRow < 0 {
		errs = append(errs, fmt.Errorf("source.header_row: %d is negative (0 finds the header)", c.HeaderRow))
	}
	return errors.Join(errs...)
}

// Open starts reading the workbooks.
func (c *Config) Open(ctx context.Context, env connectors.Env) (connectors.Source, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	files, err := connectors.ResolveFiles(env.BaseDir, c.Path, env.Log())
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, connectors.NoFileError(env.BaseDir, c.Path)
	}
	return newSource(ctx, c, env, files)
}
