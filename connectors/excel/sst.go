package excel

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// sstItem is one shared string: its runs of text, each with the font its
// rich-text properties name ("" when the run takes the cell's font).
type sstItem struct {
	runs []textRun
}

type textRun struct {
	text, font string
}

// xmlRich is the content of a shared string <si> or an inline string <is>.
type xmlRich struct {
	T *xmlText `xml:"t"`
	R []struct {
		RPr struct {
			RFont struct {
				Val string `xml:"val,attr"`
			} `xml:"rFont"`
		} `xml:"rPr"`
		T xmlText `xml:"t"`
	} `xml:"r"`
}

type xmlText struct {
	Text string `xml:",chardata"`
}

func (x xmlRich) item() sstItem {
	var it sstItem
	if x.T != nil {
		it.runs = append(it.runs, textRun{text: x.T.Text})
	}
	for _, r := range x.R {
		it.runs = append(it.runs, textRun{text: r.T.Text, font: r.RPr.RFont.Val})
	}
	return it
}

// loadSST reads the shared strings one <si> at a time.
func (wb *workbook) loadSST(part string) ([]sstItem, error) {
	if part == "" {
		return nil, nil
	}
	rc, err := wb.part(part)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	dec := xml.NewDecoder(rc)
	var items []sstItem
	size := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return items, nil
		}
		if err != nil {
			return nil, fmt.Errorf("part %s: %w", part, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "si" {
			continue
		}
		var x xmlRich
		if err := dec.DecodeElement(&x, &se); err != nil {
			return nil, fmt.Errorf("part %s item %d: %w", part, len(items), err)
		}
		it := x.item()
		size += 64 // an item's own memory, about
		for _, r := range it.runs {
			size += len(r.text) + len(r.font) + 32
		}
		if size > MaxSharedStringsBytes {
			return nil, &LimitError{Part: part, What: fmt.Sprintf("its shared strings hold more than %d bytes of text", MaxSharedStringsBytes)}
		}
		items = append(items, it)
	}
}

// plain joins the runs without decoding.
func (it sstItem) plain() string {
	if len(it.runs) == 1 {
		return it.runs[0].text
	}
	var b strings.Builder
	for _, r := range it.runs {
		b.WriteString(r.text)
	}
	return b.String()
}
