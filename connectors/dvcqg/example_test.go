package dvcqg_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sonla-data/kho/connectors/dvcqg"
)

// A Decoder hands over the dossiers of a sync request one at a time, from any
// io.Reader.
func ExampleDecoder() {
	req := `{"service": "DongBoHoSoMC", "isUpdating": false, "data": [
  {"MaHoSo": "000.00.06.H56-250701-0001"},
  {"MaHoSo": "000.00.06.H56-250701-0002"},
  {"MaHoSo": "000.00.06.H56-250701-0003"`
	d := dvcqg.NewDecoder(strings.NewReader(req))
	for {
		raw, i, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Println("error:", err)
			break
		}
		fmt.Println(i, d.Service(), string(raw))
	}
	// Output:
	// 1 DongBoHoSoMC {"MaHoSo": "000.00.06.H56-250701-0001"}
	// 2 DongBoHoSoMC {"MaHoSo": "000.00.06.H56-250701-0002"}
	// error: line 4, column 41 (byte 185): unexpected end of input (truncated file?)
}
