package vnenc_test

import (
	"fmt"

	"github.com/sonla-data/kho/internal/vnenc"
)

func ExampleRepairString() {
	for _, s := range []string{"Thµnh phè S¬n La", "Thaønh phoá Sôn La", "Thành phố Sơn La"} {
		fixed, enc, changed := vnenc.RepairString(s)
		fmt.Println(fixed, enc, changed)
	}
	// Output:
	// Thành phố Sơn La tcvn3 true
	// Thành phố Sơn La vni true
	// Thành phố Sơn La  false
}

func ExampleDecodeVNI() {
	fmt.Println(vnenc.DecodeVNI([]byte("Huye\xe4n Thua\xe4n Cha\xe2u")))
	// Output: Huyện Thuận Châu
}
