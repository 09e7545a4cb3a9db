package lake

import (
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/klauspost/compress/zstd"
)

// keptZstd is arrow-go's zstd codec with its encoders kept between calls.
// arrow-go keeps them in a sync.Pool, which every garbage collection
// empties: under the run's heap limit the collector runs often and each
// Parquet page then built a new encoder and its history buffers
// (`ensureHist`, `EncodeNoHist`: 0.8 s of the 1M-row CSV load's CPU). The
// encoders are made with arrow-go's options, so the pages compress to the
// same bytes.
type keptZstd struct {
	compress.Codec
	levels map[zstd.EncoderLevel]chan *zstd.Encoder
}

// zstdKept is the encoders kept for each level: a Parquet writer
// compresses one page at a time, a few run at once.
const zstdKept = 8

func newKeptZstd(base compress.Codec) *keptZstd {
	k := &keptZstd{Codec: base, levels: map[zstd.EncoderLevel]chan *zstd.Encoder{}}
	for l := zstd.SpeedFastest; l <= zstd.SpeedBestCompression; l++ {
		k.levels[l] = make(chan *zstd.Encoder, zstdKept)
	}
	return k
}

// EncodeLevel compresses src as arrow-go's codec does.
func (k *keptZstd) EncodeLevel(dst, src []byte, level int) []byte {
	l := zstd.EncoderLevelFromZstd(level)
	if level == compress.DefaultCompressionLevel {
		l = zstd.SpeedDefault
	}
	kept := k.levels[l]
	var enc *zstd.Encoder
	select {
	case enc = <-kept:
	default:
		var err error
		enc, err = zstd.NewWriter(nil, zstd.WithZeroFrames(true), zstd.WithEncoderLevel(l),
			zstd.WithEncoderConcurrency(1), zstd.WithAllLitEntropyCompression(true))
		if err != nil {
			return k.Codec.EncodeLevel(dst, src, level)
		}
	}
	out := enc.EncodeAll(src, dst[:0])
	select {
	case kept <- enc:
	default:
	}
	return out
}

func init() {
	base, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		return
	}
	compress.RegisterCodec(compress.Codecs.Zstd, newKeptZstd(base))
}
