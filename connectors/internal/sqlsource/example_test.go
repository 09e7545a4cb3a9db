package sqlsource_test

import (
	"fmt"

	"github.com/sonla-data/kho/connectors/internal/sqlsource"
)

func ExampleRedactText() {
	fmt.Println(sqlsource.RedactText("cannot reach postgres://kho:mat-khau@10.10.0.21:5432/his"))
	fmt.Println(sqlsource.RedactText("cannot reach kho:mat-khau@tcp(10.10.0.34:3306)/chan_nuoi"))
	// Output:
	// cannot reach postgres://kho:[redacted]@10.10.0.21:5432/his
	// cannot reach kho:[redacted]@tcp(10.10.0.34:3306)/chan_nuoi
}

func ExampleParseMark() {
	col := sqlsource.Column{Name: "cap_nhat_luc", SourceType: "timestamp", Kind: sqlsource.LocalTime}
	m, _ := sqlsource.ParseMark(col, "2025-07-01T00:19:00+07:00")
	lag, _ := sqlsource.ParseLag("10m")
	from, _ := m.Minus(lag, col)
	fmt.Println(from, "→ WHERE cap_nhat_luc >", from.SQL(true))
	// Output:
	// 2025-07-01T00:09:00+07:00 → WHERE cap_nhat_luc > 2025-07-01 00:09:00
}
