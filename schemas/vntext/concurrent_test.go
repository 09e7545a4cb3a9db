package vntext

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestApplyCaseConcurrently: runs conform batches on every core, so the case
// rules must be safe to apply from many goroutines (run with -race).
func TestApplyCaseConcurrently(t *testing.T) {
	inputs := []string{"xã chiềng hặc", "phường tô hiệu", "UBND XÃ MƯỜNG GIÀNG", "sở văn hoá, thể thao và du lịch"}
	want := make([]string, len(inputs))
	for i, s := range inputs {
		want[i] = ApplyCase(s, Title)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			for n := 0; n < 2000; n++ {
				i := n % len(inputs)
				assert.Equal(t, want[i], ApplyCase(inputs[i], Title))
			}
		})
	}
	wg.Wait()
	assert.Equal(t, "Xã Chiềng Hặc", want[0])
}
