package excel

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/richardlehane/mscfb"
)

// workbook is an open .xlsx file: its sheets, styles and shared strings.
type workbook struct {
	path string
	f    *os.File
	zr   *zip.Reader
	// sum is the SHA-256 of the file, read through the handle the
	// workbook's parts are read from (an unchanged rerun's digest).
	sum      string
	sheets   []sheetRef
	date1904 bool
	styles   *styles
	sst      []sstItem
}

type sheetRef struct {
	name, part string
	hidden     bool // state="hidden" or "veryHidden"
}

// cfbMagic starts an OLE2 compound file: a legacy .xls (or an encrypted xlsx).
var cfbMagic = []byte{0xD0, 0xCF, 0x11, 0xE0}

// openWorkbook opens the workbook at p. sum is the file's SHA-256 when it
// was taken already; else it is taken through the handle the parts are
// then read from.
func openWorkbook(p, sum string) (*workbook, error) {
	if err := refuseCFB(p); err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", p, err)
	}
	var size int64
	if sum == "" {
		h := sha256.New()
		size, err = io.Copy(h, f)
		sum = hex.EncodeToString(h.Sum(nil))
	} else {
		var st os.FileInfo
		if st, err = f.Stat(); err == nil {
			size = st.Size()
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	zr, err := zip.NewReader(f, size)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("opening %s: not an .xlsx workbook (%w); save it from Excel or LibreOffice as .xlsx", p, err)
	}
	wb := &workbook{path: p, f: f, zr: zr, sum: sum}
	if err := wb.load(); err != nil {
		f.Close()
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	return wb, nil
}

// refuseCFB refuses an OLE2 compound file, with what it is and what to do:
// a password-protected xlsx (its streams EncryptionInfo and
// EncryptedPackage) or a legacy .xls (a Workbook or Book stream).
func refuseCFB(p string) error {
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("opening %s: %w (was it moved while the run went on?)", p, err)
	}
	if err != nil {
		return fmt.Errorf("opening %s: %w", p, err)
	}
	defer f.Close()
	head := make([]byte, len(cfbMagic))
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, cfbMagic) {
		return nil
	}
	encrypted := false
	if doc, err := mscfb.New(f); err == nil {
		for e, err := doc.Next(); err == nil; e, err = doc.Next() {
			if e.Name == "EncryptedPackage" || e.Name == "EncryptionInfo" {
				encrypted = true
			}
		}
	}
	if encrypted {
		return fmt.Errorf("reading %s: the workbook is encrypted with a password; Kho does not read protected files: ask the sender for the file without a password (Excel: File > Info > Protect Workbook > Encrypt with Password, empty it; LibreOffice: Save As with \"Save with password\" unticked)", p)
	}
	return fmt.Errorf("reading %s: a legacy .xls (BIFF) workbook, which no maintained Go library reads; convert it to .xlsx first: libreoffice --headless --convert-to xlsx %s", p, p)
}

func (wb *workbook) close() error { return wb.f.Close() }

// part opens a part of the package by its path inside the zip.
func (wb *workbook) part(name string) (io.ReadCloser, error) {
	name = strings.TrimPrefix(name, "/")
	for _, f := range wb.zr.File {
		if strings.EqualFold(f.Name, name) {
			return openPart(f)
		}
	}
	return nil, fmt.Errorf("part %s: %w", name, os.ErrNotExist)
}

func (wb *workbook) decodePart(name string, v any) error {
	rc, err := wb.part(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := xml.NewDecoder(rc).Decode(v); err != nil {
		return fmt.Errorf("part %s: %w", name, err)
	}
	return nil
}

type relationships struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

// load reads the workbook part, its relationships, the styles and the shared strings.
func (wb *workbook) load() error {
	wbPart := "xl/workbook.xml"
	var root relationships
	var le *LimitError
	if err := wb.decodePart("_rels/.rels", &root); err == nil {
		for _, r := range root.Rels {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				wbPart = strings.TrimPrefix(r.Target, "/")
			}
		}
	} else if errors.As(err, &le) {
		return err
	}
	var doc struct {
		Pr struct {
			Date1904 string `xml:"date1904,attr"`
		} `xml:"workbookPr"`
		Sheets []struct {
			Name  string `xml:"name,attr"`
			State string `xml:"state,attr"`
			RID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := wb.decodePart(wbPart, &doc); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("a zip file but not an .xlsx workbook (it has no %s); if the zip holds workbooks, unzip it into the drop folder", wbPart)
		}
		return err
	}
	wb.date1904 = doc.Pr.Date1904 == "1" || doc.Pr.Date1904 == "true"
	dir := path.Dir(wbPart)
	relsPart := path.Join(dir, "_rels", path.Base(wbPart)+".rels")
	var rels relationships
	if err := wb.decodePart(relsPart, &rels); err != nil {
		return err
	}
	targets := map[string]struct{ typ, target string }{}
	for _, r := range rels.Rels {
		t := r.Target
		if !strings.HasPrefix(t, "/") {
			t = path.Join(dir, t)
		}
		targets[r.ID] = struct{ typ, target string }{r.Type, strings.TrimPrefix(t, "/")}
	}
	for _, s := range doc.Sheets {
		t, ok := targets[s.RID]
		if !ok || !strings.HasSuffix(t.typ, "/worksheet") {
			continue // a chart sheet or a dialog sheet holds no cells
		}
		wb.sheets = append(wb.sheets, sheetRef{name: s.Name, part: t.target, hidden: s.State == "hidden" || s.State == "veryHidden"})
	}
	var stylesPart, sstPart string
	for _, t := range targets {
		switch {
		case strings.HasSuffix(t.typ, "/styles"):
			stylesPart = t.target
		case strings.HasSuffix(t.typ, "/sharedStrings"):
			sstPart = t.target
		}
	}
	var err error
	if wb.styles, err = wb.loadStyles(stylesPart); err != nil {
		return err
	}
	if wb.sst, err = wb.loadSST(sstPart); err != nil {
		return err
	}
	return nil
}

// sheet finds a sheet by name.
func (wb *workbook) sheet(name string) (sheetRef, bool) {
	for _, s := range wb.sheets {
		if s.name == name {
			return s, true
		}
	}
	return sheetRef{}, false
}
