package sampledata

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// between returns an int in [lo, hi].
func between(r *rand.Rand, lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// chance is true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// weighted picks an index with the given weights.
func weighted(r *rand.Rand, w []float64) int {
	t := 0.0
	for _, x := range w {
		t += x
	}
	x := r.Float64() * t
	for i, v := range w {
		if x < v {
			return i
		}
		x -= v
	}
	return len(w) - 1
}

// digits returns n random decimal digits.
func digits(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	return b.String()
}

// dayIn returns a random day in [from, to] (dates at midnight UTC).
func dayIn(r *rand.Rand, from, to time.Time) time.Time {
	n := int(to.Sub(from).Hours()/24) + 1
	return from.AddDate(0, 0, r.IntN(n))
}

// viInt writes an integer the Vietnamese way: "1.234".
func viInt(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// planter decides which rows get a defect: one bad row about every `every`
// rows, at jittered positions, with kinds taken in turn so that each kind
// gets its share. It draws from its own stream, so planting does not shift
// the good rows' values.
type planter struct {
	r     *rand.Rand
	kinds []string
	every int
	next  int // row index of the next bad row
	row   int
	k     int
}

func newPlanter(r *rand.Rand, every int, kinds ...string) *planter {
	p := &planter{r: r, kinds: kinds, every: every}
	p.next = r.IntN(every)
	p.k = r.IntN(len(kinds))
	return p
}

// step returns the kind of defect of the next row, or "" for a good row.
func (p *planter) step() string {
	i := p.row
	p.row++
	if i != p.next {
		return ""
	}
	p.next = i + p.every/2 + 1 + p.r.IntN(p.every)
	k := p.kinds[p.k%len(p.kinds)]
	p.k++
	return k
}
