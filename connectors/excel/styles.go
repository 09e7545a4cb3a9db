package excel

import (
	"strings"

	"github.com/sonla-data/kho/internal/vnenc"
)

// styles is what the connector needs of xl/styles.xml: for each cell style
// (the `s` of a cell, an index into cellXfs) whether it formats a date and
// which legacy encoding its font implies.
type styles struct {
	xfs []xfInfo
}

type xfInfo struct {
	date   bool   // a date or time number format
	legacy string // vnenc encoding of the font ("" for a Unicode font)
	font   string
	// pad is the width of a format of zeros only ("00000"): codes stored
	// as numbers and shown with their leading zeros.
	pad int
}

func (st *styles) xf(i int) xfInfo {
	if st == nil || i < 0 || i >= len(st.xfs) {
		return xfInfo{}
	}
	return st.xfs[i]
}

func (wb *workbook) loadStyles(part string) (*styles, error) {
	if part == "" {
		return &styles{}, nil
	}
	var doc struct {
		NumFmts []struct {
			ID   int    `xml:"numFmtId,attr"`
			Code string `xml:"formatCode,attr"`
		} `xml:"numFmts>numFmt"`
		Fonts []struct {
			Name struct {
				Val string `xml:"val,attr"`
			} `xml:"name"`
		} `xml:"fonts>font"`
		Xfs []struct {
			NumFmtID int `xml:"numFmtId,attr"`
			FontID   int `xml:"fontId,attr"`
		} `xml:"cellXfs>xf"`
	}
	if err := wb.decodePart(part, &doc); err != nil {
		return nil, err
	}
	custom := map[int]string{}
	for _, f := range doc.NumFmts {
		custom[f.ID] = f.Code
	}
	st := &styles{xfs: make([]xfInfo, len(doc.Xfs))}
	for i, x := range doc.Xfs {
		info := xfInfo{}
		if code, ok := custom[x.NumFmtID]; ok {
			info.date = isDateFormat(code)
			if strings.Trim(code, "0") == "" && len(code) <= 20 {
				info.pad = len(code)
			}
		} else {
			info.date = isBuiltinDate(x.NumFmtID)
		}
		if x.FontID >= 0 && x.FontID < len(doc.Fonts) {
			info.font = doc.Fonts[x.FontID].Name.Val
			info.legacy = vnenc.FontEncoding(info.font)
		}
		st.xfs[i] = info
	}
	return st, nil
}

// isBuiltinDate tells whether a built-in number format (ECMA-376 18.8.30,
// with the East Asian ids) shows a date or a time.
func isBuiltinDate(id int) bool {
	return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58)
}

// isDateFormat tells whether a custom format code shows a date or a time: it
// has d, m, y, h or s outside quoted text, escapes and [colour] brackets.
func isDateFormat(code string) bool {
	section, _, _ := strings.Cut(code, ";")
	var b strings.Builder
	for i := 0; i < len(section); i++ {
		switch c := section[i]; c {
		case '"':
			j := strings.IndexByte(section[i+1:], '"')
			if j < 0 {
				i = len(section)
			} else {
				i += j + 1
			}
		case '\\', '_', '*':
			i++
		case '[':
			j := strings.IndexByte(section[i:], ']')
			inner := ""
			if j > 0 {
				inner = strings.ToLower(section[i+1 : i+j])
				i += j
			} else {
				i = len(section)
			}
			if inner == "h" || inner == "hh" || inner == "m" || inner == "mm" || inner == "s" || inner == "ss" {
				b.WriteString(inner)
			}
		default:
			b.WriteByte(c)
		}
	}
	return strings.ContainsAny(strings.ToLower(b.String()), "dmyhs") && !strings.Contains(strings.ToLower(b.String()), "general")
}
