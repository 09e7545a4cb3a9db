package lake

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The kept encoders compress every page to the bytes arrow-go's own codec
// gives (at the default and other levels, small and large pages, reused
// encoders, from several goroutines at once), and the pages decode back.
func TestKeptZstdSameBytes(t *testing.T) {
	c, err := compress.GetCodec(compress.Codecs.Zstd)
	require.NoError(t, err)
	k, ok := c.(*keptZstd)
	require.True(t, ok, "the zstd codec of Parquet writes is the kept one")
	page := func(r *rand.Rand, n int) []byte {
		var b bytes.Buffer
		for b.Len() < n {
			switch r.IntN(3) {
			case 0:
				fmt.Fprintf(&b, "000.00.05.H41-%06d-%08d|", r.IntN(999999), r.IntN(1e8))
			case 1:
				b.WriteString("Nguyễn Thị Hoà, Chiềng Sinh, Sơn La|")
			default:
				b.WriteByte(byte(r.IntN(256)))
			}
		}
		return b.Bytes()[:n]
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(1, uint64(g)))
			for i := range 60 {
				src := page(r, []int{10, 1000, 64 << 10, 300 << 10, 1 << 20}[i%5])
				for _, level := range []int{compress.DefaultCompressionLevel, 1, 3, 9} {
					got := k.EncodeLevel(nil, src, level)
					want := k.Codec.EncodeLevel(nil, src, level)
					if !assert.Equal(t, want, got, "goroutine %d page %d level %d", g, i, level) {
						return
					}
					back := k.Decode(nil, got)
					assert.Equal(t, src, back)
				}
			}
		}()
	}
	wg.Wait()
}
