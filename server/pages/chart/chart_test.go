package chart

import (
	"encoding/xml"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// wellFormed parses the SVG as XML and counts the elements carrying a tooltip.
func wellFormed(t *testing.T, svg string) (tips []string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader("<div>" + svg + "</div>"))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return tips
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok {
			for _, a := range se.Attr {
				if a.Name.Local == "data-tip" {
					tips = append(tips, a.Value)
				}
			}
		}
	}
}

func TestLine(t *testing.T) {
	c := Line{ID: "x", Title: "Tỷ lệ <số hóa>", Periods: []string{"01/2025", "02/2025", "03/2025"},
		Series: []Series{
			{Name: "Số hóa", Class: "s1", Points: []Point{{Value: 0.5, Tip: "01/2025 — 50%"}, {Value: math.NaN()}, {Value: 0.7, Tip: "03/2025 — 70% & more", Figure: "m.03", Datum: "7/10"}}},
			{Name: "Chỉ tiêu", Class: "s1", Dashed: true, Points: []Point{{Value: 0.8}, {Value: 0.8}, {Value: 0.8}}},
		}}
	svg := string(c.SVG())
	tips := wellFormed(t, svg)
	if len(tips) != 2 || tips[1] != "03/2025 — 70% & more" {
		t.Errorf("tips = %q: one per value, none for the gap or the target", tips)
	}
	if !strings.Contains(svg, `data-figure="m.03" data-value="7/10"`) || !strings.Contains(svg, `data-value="0.5"`) {
		t.Error("a mark does not carry its figure and exact value")
	}
	if !strings.Contains(svg, "Tỷ lệ &lt;số hóa&gt;") {
		t.Error("the title is not escaped")
	}
	// The gap breaks the line: two moves, no line-to across month 2.
	if n := strings.Count(svg, `d="M`); n != 2 {
		t.Errorf("%d paths start with a move, want 2", n)
	}
}

func TestBars(t *testing.T) {
	c := Bars{ID: "b", Bars: []Bar{{Label: "Sở Y tế", Value: 0.5, Text: "50%", Tip: "Sở Y tế: 50%", Href: "/?agency=1&kpi=x"}, {Label: strings.Repeat("Dài ", 20), Value: 1.2, Text: "120%", Tip: "t"}}, Target: 0.8, TargetTip: "Chỉ tiêu 80%"}
	svg := string(c.SVG())
	if tips := wellFormed(t, svg); len(tips) != 2 {
		t.Errorf("tips = %q", tips)
	}
	if !strings.Contains(svg, `href="/?agency=1&amp;kpi=x"`) {
		t.Error("the bar's link is missing or not escaped")
	}
	if !strings.Contains(svg, "targetline") {
		t.Error("no target line")
	}
	if !strings.Contains(svg, "…") {
		t.Error("a long label is not shortened")
	}
}

// TestBarValueOffTheTarget: a value's label never covers the target line,
// whether the bar ends just before it, on it, or far from it (the browser
// test measures the same on the drawn page).
func TestBarValueOffTheTarget(t *testing.T) {
	var bars []Bar
	for _, v := range []float64{0.02, 0.3, 0.7, 0.74, 0.77, 0.79, 0.8, 0.81, 0.85, 1} {
		bars = append(bars, Bar{Label: "x", Value: v, Text: "100,0%", Tip: "t"})
	}
	c := Bars{ID: "b", Bars: bars, Target: 0.8}
	svg := string(c.SVG())
	xt := barPadL + 0.8*(bw-barPadL-barPad)
	re := regexp.MustCompile(`<text class="(bval[^"]*)" x="([0-9.]+)" y="[0-9.]+"( text-anchor="end")?>([^<]+)</text>`)
	ms := re.FindAllStringSubmatch(svg, -1)
	if len(ms) != len(bars) {
		t.Fatalf("%d value labels, want %d", len(ms), len(bars))
	}
	inside := 0
	for i, m := range ms {
		x, _ := strconv.ParseFloat(m[2], 64)
		w := textWidth(m[4], barFont)
		lo, hi := x, x+w
		if m[3] != "" {
			lo, hi = x-w, x
			inside++
		}
		if xt >= lo-2 && xt <= hi+2 {
			t.Errorf("bar %v: its label [%.0f, %.0f] covers the target line at %.0f", bars[i].Value, lo, hi, xt)
		}
		if hi > bw {
			t.Errorf("bar %v: its label ends at %.0f, outside the chart (%v)", bars[i].Value, hi, bw)
		}
	}
	if inside == 0 {
		t.Error("no label moved inside its bar")
	}
}
