package valtext_test

import (
	"fmt"
	"math/big"
	"time"

	"github.com/sonla-data/kho/internal/valtext"
)

func Example() {
	fmt.Println(valtext.Float(223941.6, 64), valtext.Float(1234567.891, 64), valtext.Float(1e-7, 64), valtext.Float(1e21, 64))
	fmt.Println(valtext.Scaled(big.NewInt(1250), 2), valtext.Scaled(big.NewInt(-5), 3), valtext.Scaled(big.NewInt(7), 0))
	midnightUTC := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	fmt.Println(valtext.Time(midnightUTC, valtext.KindOf("TIMESTAMP WITH TIME ZONE")))
	fmt.Println(valtext.Time(midnightUTC, valtext.KindOf("DATE")))
	fmt.Println(valtext.TimeRFC3339(midnightUTC, valtext.KindOf("TIMESTAMPTZ")))
	// Output:
	// 223941.6 1234567.891 1e-07 1e+21
	// 12.50 -0.005 7
	// 2025-07-01 07:00:00+07
	// 2025-07-01
	// 2025-07-01T07:00:00+07:00
}
