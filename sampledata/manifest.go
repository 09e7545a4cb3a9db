package sampledata

// ManifestFile is the name of the manifest under Options.Out.
const ManifestFile = "manifest.json"

// Source names in the manifest.
const (
	SourceHealth      = "health"
	SourceAgriculture = "agriculture"
	SourceLabour      = "labour"
	SourceCulture     = "culture"
	SourceDossiers    = "dossiers"
	SourceIndustry    = "industry_trade"
	SourceEnvironment = "environment"
	SourceEducation   = "education"
	SourceTransport   = "transport"
	SourceConstruct   = "construction"
)

// Kinds of planted bad rows. Each bad row has exactly one defect.
const (
	// BadMissingKey: the row's key is NULL or empty (ma_luot_kham, ma_bao_cao,
	// Mã báo cáo, Mã di tích, MaHoSo).
	BadMissingKey = "missing_key"
	// BadInvalidDate: an impossible date ('2025-02-30', '2025-13-05',
	// "20250231083000").
	BadInvalidDate = "invalid_date"
	// BadUnknownCommune: a commune code ("99999") or name ("Xã Không Tồn Tại")
	// that no unit has.
	BadUnknownCommune = "unknown_commune"
	// BadNegativeValue: a negative amount (chi_phi, dien_tich_ha).
	BadNegativeValue = "negative_value"
	// BadNotANumber: text in a count column ("khoảng 20").
	BadNotANumber = "not_a_number"
	// BadDueBeforeReceived: NgayHenTra before NgayTiepNhan.
	BadDueBeforeReceived = "due_before_received"
	// BadCheckFailed: values that break a row check of the dataset (more
	// households with power than households, a wage ceiling below its floor).
	BadCheckFailed = "check_failed"
	// BadBadValue: a value outside the dataset's list ("Loại 7").
	BadBadValue = "bad_value"
)

// Manifest describes what Generate wrote. As JSON (manifest.json):
//
//	{
//	  "scale": 1, "seed": 42,
//	  "sources": [
//	    {"name": "health", "items": [
//	      {"file": "health.db", "table": "luot_kham", "rows": 10000,
//	       "bad": {"invalid_date": 37, "missing_key": 38, ...}},
//	      ...]},
//	    {"name": "culture", "items": [
//	      {"file": "culture/di_tich.xlsx", "sheet": "Di tích", "rows": 150,
//	       "header_rows": 4, "trailer_rows": 5, "bad": {...}}]},
//	    ...]
//	}
//
// Sources come in the order health, agriculture, labour, culture, dossiers,
// industry_trade, environment, education, transport, construction.
type Manifest struct {
	Scale   int      `json:"scale"`
	Seed    int64    `json:"seed"`
	Sources []Source `json:"sources"`
}

// Source is one department's output.
type Source struct {
	Name  string `json:"name"`
	Items []Item `json:"items"`
}

// Item is one file, or one table of a SQLite file.
type Item struct {
	// File is the path under Options.Out, with forward slashes.
	File string `json:"file"`
	// Dataset is the dataset the item feeds, where one pipeline reads it
	// whole (so its planted bad rows are that dataset's quarantine).
	Dataset string `json:"dataset,omitempty"`
	// Table is the SQLite table; Sheet the workbook sheet.
	Table string `json:"table,omitempty"`
	Sheet string `json:"sheet,omitempty"`
	// Rows counts the data rows (dossiers for JSON), bad ones included; not
	// the CSV or sheet header, title or trailer rows.
	Rows int `json:"rows"`
	// HeaderRows (workbook): rows above the first data row, header included.
	HeaderRows int `json:"header_rows,omitempty"`
	// TrailerRows (workbook): non-data rows after the last data row (empty
	// rows, "Tổng cộng", the signature block).
	TrailerRows int `json:"trailer_rows,omitempty"`
	// Bad counts the planted bad rows by kind; every kind planted in this
	// file or table is listed, also with a count of 0.
	Bad map[string]int `json:"bad,omitempty"`
	// Mojibake counts the good rows with a value typed in TCVN3 and read as
	// Windows-1252 ("Chî" for "Chợ"), which the conform step repairs.
	Mojibake int `json:"mojibake,omitempty"`
}

// BadRows is the total number of planted bad rows of the item.
func (it Item) BadRows() int {
	n := 0
	for _, c := range it.Bad {
		n += c
	}
	return n
}

// Item returns the item of a source by file and table (table "" for files).
func (m *Manifest) Item(source, file, table string) (Item, bool) {
	for _, s := range m.Sources {
		if s.Name != source {
			continue
		}
		for _, it := range s.Items {
			if it.File == file && it.Table == table {
				return it, true
			}
		}
	}
	return Item{}, false
}

func newItem(file, table string, kinds ...string) Item {
	it := Item{File: file, Table: table}
	if len(kinds) > 0 {
		it.Bad = map[string]int{}
	}
	for _, k := range kinds {
		it.Bad[k] = 0
	}
	return it
}
