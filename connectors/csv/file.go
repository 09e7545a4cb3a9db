package csv

import (
	"bufio"
	"crypto/sha256"
	stdcsv "encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"log/slog"
	"os"

	"golang.org/x/text/transform"

	"github.com/sonla-data/kho/connectors"
)

// sampleSize is how much of a file is read ahead to detect its encoding and
// its delimiter.
const sampleSize = 64 << 10

// file is one open input file.
type file struct {
	path   string
	f      *os.File
	r      *stdcsv.Reader
	enc    decision
	delim  rune
	offset int      // lines skipped before the csv reader's first line
	header []string // column names of this file (nil: none, file empty)
	cells  []string // the header's cleaned cells, to recognise it repeated
	hash   string   // SHA-256 of the content
	// bytes hashes the bytes the file's readers take from it, as they take
	// them, unless hash was known before: at its end, the SHA-256 of what
	// was parsed (sum).
	bytes *hashingReader
	mixed *mixedReader
	// repeated counts the header lines met again below the header (page
	// breaks of a printed report, files pasted together).
	repeated int
	leftOut  int  // total rows and the signature block
	trailer  bool // in the signature block: the rest of the file is left out
	done     bool // read to its end
	// pending is the first record of a file without a header, read to count
	// its fields and still to be emitted.
	pending     []string
	pendingLine int
	pendingErr  error
}

// sum is the file's SHA-256 (hex) once it was read to its end.
func (fl *file) sum() string {
	if fl.hash == "" {
		fl.hash = hex.EncodeToString(fl.bytes.h.Sum(nil))
	}
	return fl.hash
}

// hashingReader hashes what is read through it (when h is set).
type hashingReader struct {
	r io.Reader
	h hash.Hash
}

func (t *hashingReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if t.h != nil {
		t.h.Write(p[:n])
	}
	return n, err
}

// openFile opens path, detects its encoding and delimiter, skips skip_rows
// lines and reads the header (or, without a header, the first record). hash
// is the file's SHA-256 when it was taken already; else it is taken as the
// file is read.
func openFile(path string, c *Config, log *slog.Logger, hash string) (*file, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("opening %s: %w (was it moved while the run went on?)", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	fl := &file{path: path, f: f, hash: hash, bytes: &hashingReader{r: f}}
	if hash == "" {
		fl.bytes.h = sha256.New()
	}
	if err := fl.init(c, log); err != nil {
		f.Close()
		return nil, err
	}
	return fl, nil
}

func (fl *file) init(c *Config, log *slog.Logger) error {
	raw := bufio.NewReaderSize(fl.bytes, sampleSize)
	sample, err := raw.Peek(sampleSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return fmt.Errorf("reading %s: %w", fl.path, err)
	}
	fl.enc = detect(c.encoding(), sample, len(sample) < sampleSize)
	if _, err := raw.Discard(fl.enc.bom); err != nil {
		return fmt.Errorf("reading %s: %w", fl.path, err)
	}
	var rd io.Reader = raw
	if t := fl.enc.transformer(); t != nil {
		if fl.enc.mixed {
			fl.mixed = newMixedReader(raw, t)
			fl.mixed.max = c.MaxRecordBytes
			rd = fl.mixed
		} else {
			rd = transform.NewReader(raw, t)
		}
	}
	if crOnly(sample) {
		rd = crReader{rd}
		log.Info("csv: lines end with CR alone; reading CR as a line break", "file", fl.path)
	}
	text := bufio.NewReaderSize(rd, sampleSize)
	for range c.SkipRows {
		n, err := skipLine(text)
		fl.offset += n
		if err != nil {
			break
		}
	}
	delim, _ := c.delimiter()
	how := "configured"
	if delim == 0 {
		head, _ := text.Peek(16 << 10)
		delim, how = sniff(head), "sniffed"
	}
	fl.delim = delim
	log.Info("csv: reading file", "file", fl.path, "encoding", fl.enc.enc, "encoding_reason", fl.enc.reason,
		"delimiter", string(delim), "delimiter_from", how)

	fl.r = stdcsv.NewReader(newRecordReader(text, delim, c.MaxRecordBytes, fl.path, fl.offset))
	fl.r.Comma = delim
	fl.r.FieldsPerRecord = -1
	fl.r.LazyQuotes = false
	fl.r.ReuseRecord = true

	rec, line, err := fl.read()
	if errors.Is(err, io.EOF) {
		return nil // an empty file: no header, no rows
	}
	var pe *stdcsv.ParseError
	if err != nil && !errors.As(err, &pe) {
		return fmt.Errorf("reading %s: %w", fl.path, err)
	}
	if c.Header {
		if pe != nil {
			return fmt.Errorf("reading the header of %s: line %d column %d: %w", fl.path, pe.Line+fl.offset, pe.Column, pe.Err)
		}
		fl.cells = headerCells(rec, c.RepairLegacy)
		fl.header = connectors.ColumnNames(fl.cells)
		return nil
	}
	fl.header = connectors.PositionalNames(len(rec))
	fl.pending = append([]string(nil), rec...)
	fl.pendingLine, fl.pendingErr = line, err
	return nil
}

// read returns the next record, the physical line it starts on and the
// error of the csv reader (a *csv.ParseError still comes with the fields read).
func (fl *file) read() ([]string, int, error) {
	if fl.pending != nil {
		rec, line, err := fl.pending, fl.pendingLine, fl.pendingErr
		fl.pending = nil
		return rec, line, err
	}
	rec, err := fl.r.Read()
	var pe *stdcsv.ParseError
	switch {
	case errors.As(err, &pe):
		return rec, pe.StartLine + fl.offset, err
	case err != nil:
		return nil, 0, err
	}
	line, _ := fl.r.FieldPos(0)
	return rec, line + fl.offset, nil
}

func (fl *file) close() error { return fl.f.Close() }

// skipLine reads past one line and returns 1, or 0 at the end of the input.
func skipLine(r *bufio.Reader) (int, error) {
	for {
		b, err := r.ReadSlice('\n')
		switch {
		case err == nil:
			return 1, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case len(b) > 0:
			return 1, err
		default:
			return 0, err
		}
	}
}
