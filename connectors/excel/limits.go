package excel

import (
	"archive/zip"
	"fmt"
	"io"
)

// Limits on what a workbook's parts may hold. A workbook written by Excel or
// LibreOffice is far inside every one; a file beyond one is refused at once,
// before its content is held in memory.
const (
	// MaxPartBytes bounds the uncompressed size of one part (a sheet of a
	// million rows of twenty columns is about 600 MiB).
	MaxPartBytes = 2 << 30
	// MaxRatio bounds how much a part may expand (uncompressed / compressed)
	// once it is past RatioFloor: SpreadsheetML compresses 5 to 30 times,
	// a zip bomb thousands of times.
	MaxRatio   = 200
	RatioFloor = 16 << 20
	// MaxTextBytes bounds one run of text between two tags: a cell holds at
	// most 32767 characters (Excel's limit), at most about 128 KiB of XML.
	MaxTextBytes = 1 << 20
	// MaxTagBytes bounds one tag with its attributes.
	MaxTagBytes = 64 << 10
	// MaxDepth bounds the nesting of elements (SpreadsheetML nests fewer
	// than ten).
	MaxDepth = 64
	// MaxSharedStringsBytes bounds the text of the shared strings, which
	// are held in memory while the workbook is read.
	MaxSharedStringsBytes = 256 << 20
)

// LimitError is a workbook refused because a part is beyond a limit.
type LimitError struct {
	Part string
	Line int // the line of the part's XML, 0 when not known
	What string
}

func (e *LimitError) Error() string {
	at := ""
	if e.Line > 0 {
		at = fmt.Sprintf(" line %d", e.Line)
	}
	return fmt.Sprintf("part %s%s: %s; a workbook saved by Excel or LibreOffice never is: the file is refused, nothing of this run was loaded", e.Part, at, e.What)
}

// openPart opens a zip member after checking its declared sizes (the zip
// reader fails a member that inflates beyond its declared size), and guards
// its XML.
func openPart(f *zip.File) (io.ReadCloser, error) {
	u, c := f.UncompressedSize64, f.CompressedSize64
	if u > MaxPartBytes {
		return nil, &LimitError{Part: f.Name, What: fmt.Sprintf("it is %d bytes uncompressed, more than the limit of %d", u, MaxPartBytes)}
	}
	if u > RatioFloor && (c == 0 || u/c > MaxRatio) {
		return nil, &LimitError{Part: f.Name, What: fmt.Sprintf("it expands from %d to %d bytes, more than %d times (a zip bomb)", c, u, MaxRatio)}
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	return &xmlGuard{rc: rc, part: f.Name, line: 1}, nil
}

// xmlGuard passes a part's XML through, refusing a text run, a tag or a
// nesting beyond the limits before encoding/xml would hold them.
type xmlGuard struct {
	rc    io.ReadCloser
	part  string
	line  int
	inTag bool
	run   int  // bytes of the current text run or tag
	prev  byte // the byte before, in a tag
	open  bool // the tag is an opening one (not </x>, <?x?>, <!x>)
	first bool // the next byte is the tag's first
	depth int
	err   error
}

func (g *xmlGuard) Close() error { return g.rc.Close() }

func (g *xmlGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.rc.Read(p)
	for _, b := range p[:n] {
		if b == '\n' {
			g.line++
		}
		g.run++
		if !g.inTag {
			if b == '<' {
				g.inTag, g.run, g.first, g.open = true, 0, true, true
				continue
			}
			if g.run > MaxTextBytes {
				return 0, g.fail(fmt.Sprintf("a text of more than %d bytes (a cell holds at most 32767 characters)", MaxTextBytes))
			}
			continue
		}
		if g.first {
			g.first = false
			if b == '/' || b == '?' || b == '!' {
				g.open = false
				if b == '/' {
					g.depth--
				}
			}
		}
		if b == '>' {
			if g.open && g.prev != '/' {
				g.depth++
				if g.depth > MaxDepth {
					return 0, g.fail(fmt.Sprintf("elements nested more than %d deep", MaxDepth))
				}
			}
			g.inTag, g.run, g.prev = false, 0, 0
			continue
		}
		g.prev = b
		if g.run > MaxTagBytes {
			return 0, g.fail(fmt.Sprintf("a tag of more than %d bytes", MaxTagBytes))
		}
	}
	return n, err
}

func (g *xmlGuard) fail(what string) error {
	g.err = &LimitError{Part: g.part, Line: g.line, What: what}
	return g.err
}
