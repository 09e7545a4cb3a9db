package dvcqg

import (
	"fmt"
	"strconv"
	"strings"
)

// emitFunc receives one row: its values in the record's column order (nil is
// null) and, for a bad row, the reason.
type emitFunc func(values []*string, reason string)

// recordKind is one kind of row a source can read.
type recordKind struct {
	service string   // the request service whose data it reads
	what    string   // what a data element is, for messages
	columns []string // text columns, before the provenance columns
	rows    func(el element, emit emitFunc)
}

// records are the kinds, by the value of `record:`.
var records = map[string]recordKind{
	RecordDossiers: {
		service: ServiceDossiers, what: "dossier",
		columns: concat(dossierFields, dossierDerived),
		rows:    dossierRows,
	},
	RecordDocuments: {
		service: ServiceDossiers, what: "dossier",
		columns: concat([]string{"MaHoSo", "STT"}, documentFields),
		rows:    childRows("TaiLieuNop", documentFields),
	},
	RecordResults: {
		service: ServiceDossiers, what: "dossier",
		columns: concat([]string{"MaHoSo", "STT"}, resultFields),
		rows:    childRows("DanhSachGiayToKetQua", resultFields),
	},
	RecordProgress: {
		service: ServiceProgress, what: "processing step",
		columns: progressFields,
		rows:    flatRows(progressFields),
	},
}

func concat(a, b []string) []string { return append(append([]string{}, a...), b...) }

// problems collects the reasons a row is bad.
type problems []string

func (p *problems) add(s string) {
	if s != "" {
		*p = append(*p, s)
	}
}

func (p problems) String() string { return strings.Join(p, "; ") }

// flatRows makes one row of the named scalar fields per element.
func flatRows(fields []string) func(element, emitFunc) {
	return func(el element, emit emitFunc) {
		if el.obj == nil {
			emit(nil, el.problem)
			return
		}
		vals := make([]*string, len(fields))
		var bad problems
		for i, f := range fields {
			var p string
			vals[i], p = scalar(el.obj[f], f)
			bad.add(p)
		}
		emit(vals, bad.String())
	}
}

// dossierRows makes one row per dossier: its scalar fields, then the derived
// columns.
func dossierRows(el element, emit emitFunc) {
	if el.obj == nil {
		emit(nil, el.problem)
		return
	}
	n := len(dossierFields)
	vals := make([]*string, n+len(dossierDerived))
	var bad problems
	for i, f := range dossierFields {
		var p string
		vals[i], p = scalar(el.obj[f], f)
		bad.add(p)
	}
	vals[n] = agencyCode(vals[0])

	docs, p := arrayField(el.obj["TaiLieuNop"], "TaiLieuNop")
	bad.add(p)
	if p == "" {
		var submitted, digitised, reused int
		ok := true
		for j, raw := range docs {
			d := parseObject(raw, fmt.Sprintf("TaiLieuNop[%d]", j+1))
			if d.obj == nil {
				bad.add(d.problem)
				ok = false
				continue
			}
			if truthy(d.obj["IsDeleted"]) {
				continue
			}
			submitted++
			if truthy(d.obj["DuocSoHoa"]) {
				digitised++
			}
			if truthy(d.obj["DuocTaiSuDung"]) || truthy(d.obj["DuocLayTuKhoDMQG"]) {
				reused++
			}
		}
		if ok {
			vals[n+1], vals[n+2], vals[n+3] = count(submitted), count(digitised), count(reused)
		}
	}
	for i, f := range []string{"DanhSachGiayToKetQua", "DinhDanhCHS"} {
		items, p := arrayField(el.obj[f], f)
		bad.add(p)
		if p == "" {
			vals[n+4+i] = count(len(items))
		}
	}
	emit(vals, bad.String())
}

func count(n int) *string {
	s := strconv.Itoa(n)
	return &s
}

// agencyCode is MaHoSo without its last two '-' segments — the agency's code
// in {MaDinhDanh}-{yyMMdd}-{NNNN} — or nil when MaHoSo has not that form.
func agencyCode(maHoSo *string) *string {
	if maHoSo == nil {
		return nil
	}
	parts := strings.Split(*maHoSo, "-")
	if len(parts) < 3 {
		return nil
	}
	date, seq := parts[len(parts)-2], parts[len(parts)-1]
	if len(date) != 6 || !digits(date) || seq == "" || !digits(seq) {
		return nil
	}
	code := strings.Join(parts[:len(parts)-2], "-")
	if code == "" {
		return nil
	}
	return &code
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// childRows makes one row per entry of a dossier's array field: MaHoSo, STT
// (the entry's 1-based position), then the entry's scalar fields.
func childRows(name string, fields []string) func(element, emitFunc) {
	return func(el element, emit emitFunc) {
		if el.obj == nil {
			emit(nil, el.problem)
			return
		}
		ma, pMa := scalar(el.obj["MaHoSo"], "MaHoSo")
		items, p := arrayField(el.obj[name], name)
		if p != "" {
			bad := problems{}
			bad.add(pMa)
			bad.add(p)
			emit([]*string{ma}, bad.String())
			return
		}
		for j, raw := range items {
			vals := make([]*string, 2+len(fields))
			vals[0], vals[1] = ma, count(j+1)
			var bad problems
			bad.add(pMa)
			where := fmt.Sprintf("%s[%d]", name, j+1)
			item := parseObject(raw, where)
			if item.obj == nil {
				bad.add(item.problem)
				emit(vals, bad.String())
				continue
			}
			for i, f := range fields {
				var p string
				vals[2+i], p = scalar(item.obj[f], where+"."+f)
				bad.add(p)
			}
			emit(vals, bad.String())
		}
	}
}

// field reads a scalar field of an element for the incremental filter.
func field(el element, name string) (string, bool) {
	if el.obj == nil {
		return "", false
	}
	v, p := scalar(el.obj[name], name)
	if p != "" || v == nil {
		return "", false
	}
	return *v, true
}
