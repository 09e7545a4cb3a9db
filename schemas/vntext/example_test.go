package vntext_test

import (
	"fmt"

	"github.com/sonla-data/kho/schemas/vntext"
)

func ExampleNormalize() {
	for _, s := range []string{"Xã Liên Hòa", "X· ChiÒng HÆc", "  Xã Cò\u00a0 Nòi "} {
		out, repairs := vntext.Normalize(s, vntext.Options{Whitespace: vntext.Collapse})
		fmt.Printf("%s %v\n", out, repairs)
	}
	// Output:
	// Xã Liên Hoà [tone_placement]
	// Xã Chiềng Hặc [legacy_tcvn3]
	// Xã Cò Nòi [whitespace]
}
