package schemas

import (
	"fmt"
	"strings"
)

// Types of dataset checks.
const (
	CheckRowCountChange = "row_count_change"
	CheckKeyUnique      = "key_unique"
	CheckMinRows        = "min_rows"
)

// TableFacts are what the dataset checks look at: the table a run is about
// to commit, as the runner (or the quality package) measured it.
type TableFacts struct {
	// RowsBefore is the table's row count before the commit, RowsAfter what
	// it would be after it.
	RowsBefore, RowsAfter int64
	// DuplicateKeys counts the keys held by more than one row after the
	// commit; Duplicates shows a few of them.
	DuplicateKeys int64
	Duplicates    []string
	// KeysChecked is false when key uniqueness was not measured.
	KeysChecked bool
}

// DatasetCheckFailure is one dataset check that failed.
type DatasetCheckFailure struct {
	Check    string `json:"check"`
	Type     string `json:"type"`
	Severity string `json:"severity"`
	ReasonVI string `json:"reason_vi"`
	ReasonEN string `json:"reason_en"`
}

// DatasetCheckError blocks a commit: the dataset checks of error severity
// that failed.
type DatasetCheckError struct {
	Dataset  string
	Failures []DatasetCheckFailure
}

func (e *DatasetCheckError) Error() string {
	msgs := make([]string, len(e.Failures))
	for i, f := range e.Failures {
		msgs[i] = f.Check + ": " + f.ReasonEN
	}
	return fmt.Sprintf("dataset %s: the commit is blocked by its dataset checks: %s", e.Dataset, strings.Join(msgs, "; "))
}

// ReasonVI is the Vietnamese reason.
func (e *DatasetCheckError) ReasonVI() string {
	msgs := make([]string, len(e.Failures))
	for i, f := range e.Failures {
		msgs[i] = f.ReasonVI
	}
	return fmt.Sprintf("Tập dữ liệu %s không được ghi vì: %s", e.Dataset, strings.Join(msgs, "; "))
}

// CheckTable runs the dataset checks on the facts of a commit. It returns the
// failures of warn severity, and a *DatasetCheckError when a check of error
// severity failed.
func (d *Dataset) CheckTable(f TableFacts) (warnings []DatasetCheckFailure, err error) {
	var blocking []DatasetCheckFailure
	for _, dc := range d.DatasetChecks {
		fail := func(vi, en string) {
			x := DatasetCheckFailure{Check: dc.Name, Type: dc.Type, Severity: dc.Severity, ReasonVI: vi, ReasonEN: en}
			if dc.Severity == SeverityWarn {
				warnings = append(warnings, x)
			} else {
				blocking = append(blocking, x)
			}
		}
		switch dc.Type {
		case CheckRowCountChange:
			if f.RowsBefore == 0 {
				continue
			}
			change := float64(f.RowsAfter-f.RowsBefore) / float64(f.RowsBefore)
			if dc.MaxDrop != nil && -change > *dc.MaxDrop {
				fail(fmt.Sprintf("số dòng giảm từ %d xuống %d (%.0f%%), vượt mức cho phép %.0f%%", f.RowsBefore, f.RowsAfter, -change*100, *dc.MaxDrop*100),
					fmt.Sprintf("rows would drop from %d to %d (%.0f%%), more than the %.0f%% allowed", f.RowsBefore, f.RowsAfter, -change*100, *dc.MaxDrop*100))
			}
			if dc.MaxGrowth != nil && change > *dc.MaxGrowth {
				fail(fmt.Sprintf("số dòng tăng từ %d lên %d (%.0f%%), vượt mức cho phép %.0f%%", f.RowsBefore, f.RowsAfter, change*100, *dc.MaxGrowth*100),
					fmt.Sprintf("rows would grow from %d to %d (%.0f%%), more than the %.0f%% allowed", f.RowsBefore, f.RowsAfter, change*100, *dc.MaxGrowth*100))
			}
		case CheckKeyUnique:
			if f.KeysChecked && f.DuplicateKeys > 0 {
				key := strings.Join(d.Key, ",")
				// Examples only of a key that is not personal data: this
				// text is the run's error, read without the PII grant.
				egVI, egEN := "", ""
				if len(f.Duplicates) > 0 && !d.keyIsPII() {
					egVI, egEN = " (ví dụ "+strings.Join(f.Duplicates, "; ")+")", " (e.g. "+strings.Join(f.Duplicates, "; ")+")"
				}
				fail(fmt.Sprintf("%d giá trị khóa %s bị trùng trong toàn bảng%s", f.DuplicateKeys, key, egVI),
					fmt.Sprintf("%d values of the key %s are held by more than one row of the table%s", f.DuplicateKeys, key, egEN))
			}
		case CheckMinRows:
			if f.RowsAfter < *dc.Min {
				fail(fmt.Sprintf("bảng chỉ còn %d dòng, cần ít nhất %d", f.RowsAfter, *dc.Min),
					fmt.Sprintf("the table would have %d rows, fewer than the %d required", f.RowsAfter, *dc.Min))
			}
		}
	}
	if len(blocking) > 0 {
		return warnings, &DatasetCheckError{Dataset: d.Name, Failures: blocking}
	}
	return warnings, nil
}

// NeedsKeyScan reports whether a key_unique check needs the table's keys.
func (d *Dataset) NeedsKeyScan() bool {
	for _, dc := range d.DatasetChecks {
		if dc.Type == CheckKeyUnique {
			return true
		}
	}
	return false
}

// keyIsPII reports whether a column of the key is tagged personal data.
func (d *Dataset) keyIsPII() bool {
	for _, k := range d.Key {
		if c, ok := d.Column(k); ok && c.PII != "" {
			return true
		}
	}
	return false
}
