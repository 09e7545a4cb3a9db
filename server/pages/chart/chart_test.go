package chart

import (
	"encoding/xml"
	"io"
	"math"
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
