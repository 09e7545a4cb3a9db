package bloom

import (
	"math/rand/v2"
	"testing"
)

// Every value added is held; of values never added, few pass.
func TestFilter(t *testing.T) {
	for _, bitsPer := range []int{10, 16} {
		const n = 50000
		f := New(n, bitsPer)
		r := rand.New(rand.NewPCG(1, 2))
		added := make([][2]uint64, n)
		for i := range added {
			added[i] = [2]uint64{Mix(r.Uint64()), Mix(r.Uint64())}
			f.Add(added[i][0], added[i][1])
		}
		for _, h := range added {
			if !f.MayHold(h[0], h[1]) {
				t.Fatalf("%d bits a value: a value added is not held", bitsPer)
			}
		}
		pass := 0
		const others = 200000
		for range others {
			if f.MayHold(Mix(r.Uint64()), Mix(r.Uint64())) {
				pass++
			}
		}
		if share := float64(pass) / others; share > 0.03 {
			t.Errorf("%d bits a value: %.2f%% of other values pass", bitsPer, 100*share)
		}
		if f.Bytes()*8 > n*bitsPer+512 {
			t.Errorf("%d bits a value: %d bytes for %d values", bitsPer, f.Bytes(), n)
		}
	}
	if New(0, 10).MayHold(1, 2) {
		t.Error("an empty filter holds a value")
	}
}
