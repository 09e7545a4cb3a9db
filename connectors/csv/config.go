package csv

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sonla-data/kho/connectors"
)

func init() {
	connectors.Register(connectors.Spec{
		Name:      "csv",
		Summary:   "delimited text files (CSV, semicolon, tab), any Vietnamese encoding",
		NewConfig: func() connectors.Config { return NewConfig() },
	})
}

// Encodings accepted by `encoding`.
const (
	EncAuto        = "auto"
	EncUTF8        = "utf-8"
	EncUTF16       = "utf-16"
	EncUTF16LE     = "utf-16le"
	EncUTF16BE     = "utf-16be"
	EncWindows1258 = "windows-1258"
	EncTCVN3       = "tcvn3"
	EncVNI         = "vni"
)

var encodings = []string{EncAuto, EncUTF8, EncUTF16, EncWindows1258, EncTCVN3, EncVNI}

// Config is the `source:` block of a pipeline with `type: csv`.
type Config struct {
	// Path is a file or a glob (** for any folders), relative to the
	// pipeline's folder.
	Path string `yaml:"path"`
	// Delimiter is "auto" (sniff , ; tab |), one character, or "tab".
	Delimiter string `yaml:"delimiter"`
	// Header says whether the first line (after skip_rows) names the columns.
	Header bool `yaml:"header"`
	// SkipRows is the number of lines before the header (titles, notes).
	SkipRows int `yaml:"skip_rows"`
	// Encoding is "auto" or one of utf-8, utf-16, windows-1258, tcvn3, vni.
	Encoding string `yaml:"encoding"`
	// RepairLegacy repairs TCVN3/VNI mojibake in every value (vnenc.RepairString).
	RepairLegacy bool `yaml:"repair_legacy"`
	// SkipTrailer leaves out total rows ("Tổng cộng", "Cộng") and the
	// signature block of a report saved as CSV, counting them.
	SkipTrailer bool `yaml:"skip_trailer"`
	// MaxRecordBytes bounds one record (a line, or the lines of a quoted
	// field): a file with a longer one is refused at once. Default 16 MiB.
	MaxRecordBytes int `yaml:"max_record_bytes"`
}

// NewConfig returns a config with the defaults filled in.
func NewConfig() *Config {
	return &Config{Delimiter: "auto", Header: true, Encoding: EncAuto, SkipTrailer: true}
}

// Validate reports every problem of the config at once.
func (c *Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.Path) == "" {
		errs = append(errs, errors.New("source.path: required"))
	} else if err := connectors.CheckGlob(c.Path); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.delimiter(); err != nil {
		errs = append(errs, err)
	}
	if c.MaxRecordBytes < 0 {
		errs = append(errs, fmt.Errorf("source.max_record_bytes: %d is negative", c.MaxRecordBytes))
	}
	if c.SkipRows < 0 {
		errs = append(errs, fmt.Errorf("source.skip_rows: %d is negative", c.SkipRows))
	}
	if c.encoding() == "" {
		errs = append(errs, fmt.Errorf("source.encoding: %q is not one of %s", c.Encoding, strings.Join(encodings, ", ")))
	}
	return errors.Join(errs...)
}

// delimiter returns the configured delimiter, 0 for auto.
func (c *Config) delimiter() (rune, error) {
	d := c.Delimiter
	switch strings.ToLower(d) {
	case "", "auto":
		return 0, nil
	case "tab", `\t`:
		return '\t', nil
	}
	r, n := utf8.DecodeRuneInString(d)
	if n != len(d) || r == utf8.RuneError || r == '"' || r == '\r' || r == '\n' || r == 0xFEFF {
		return 0, fmt.Errorf(`source.delimiter: %q is not "auto", "tab" or one character other than a quote or a line break`, d)
	}
	return r, nil
}

// encoding returns the canonical encoding name, "" when unknown.
func (c *Config) encoding() string {
	e := strings.ToLower(strings.TrimSpace(c.Encoding))
	switch e {
	case "", "auto":
		return EncAuto
	case "utf8", "utf-8":
		return EncUTF8
	case "utf-16", "utf16", "utf-16le", "utf-16be":
		return e
	case "windows-1258", "cp1258":
		return EncWindows1258
	case "tcvn3", "abc", "vn3":
		return EncTCVN3
	case "vni", "vni-windows":
		return EncVNI
	}
	return ""
}

// Open starts reading the files.
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
