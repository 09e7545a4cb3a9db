// Package chart draws the dashboard's charts as inline SVG on the server: a
// line chart of rates month by month against their targets, and a bar chart
// of a rate by agency or commune. Every mark carries its figure and period in
// a data-tip attribute (shown as a tooltip by web/static/kho.js) and a <title>
// (shown by the browser without script, read by screen readers). Hand-written
// rather than a chart library: a chart costs a few kilobytes of the page and
// no script at all, which matters on a slow provincial link.
package chart

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// Point is one value of a series at one period.
type Point struct {
	Value float64 // NaN: no value
	Tip   string  // the figure and its period, for the tooltip
	// Figure names the figure the mark shows (data-figure) and Datum is
	// its exact value (data-value, e.g. "68/75" for a rate); the pages'
	// tests check every mark that carries a figure. Datum "" shows Value.
	Figure, Datum string
}

// data is a mark's data-figure and data-value attributes.
func data(figure, datum string, v float64) string {
	if datum == "" {
		datum = fmt.Sprintf("%g", v)
	}
	if figure == "" {
		return fmt.Sprintf(` data-value="%s"`, esc(datum))
	}
	return fmt.Sprintf(` data-figure="%s" data-value="%s"`, esc(figure), esc(datum))
}

// Series is one line.
type Series struct {
	Name   string
	Class  string // CSS class giving its colour: s1..s6
	Dashed bool   // a target line
	Points []Point
	// Figure and Datum of a target line (its points have no marks).
	Figure, Datum string
}

// Line is a line chart over periods, values in [0, Max].
type Line struct {
	ID      string
	Title   string
	Periods []string // x labels
	Series  []Series
	Max     float64              // top of the y axis (0: 1)
	Tick    func(float64) string // y-axis labels
}

const (
	lw, lh                  = 720.0, 260.0
	padL, padR, padT, padB  = 58.0, 44.0, 12.0, 30.0
	bw                      = 530.0
	barRow, barPadL, barPad = 18.0, 170.0, 62.0
	// maxFont is the largest font size, in the chart's units, that the
	// style sheet gives a chart's text (on a phone, where a chart is drawn
	// smaller): labels are laid out for it.
	maxFont = 17.0
	// barFont is the largest font size of a bar chart's text.
	barFont = 14.5
)

// textWidth is an upper estimate of a text's width at a font size: wide
// glyphs (digits, capitals, Vietnamese letters) are about 0.6 em in the
// system fonts the pages use.
func textWidth(s string, font float64) float64 {
	return float64(len([]rune(s))) * 0.62 * font
}

func esc(s string) string { return html.EscapeString(s) }

// SVG renders the chart.
func (c Line) SVG() template.HTML {
	max := c.Max
	if max <= 0 {
		max = 1
	}
	tick := c.Tick
	if tick == nil {
		tick = func(v float64) string { return fmt.Sprintf("%.0f%%", v*100) }
	}
	n := len(c.Periods)
	x := func(i int) float64 {
		if n <= 1 {
			return padL + (lw-padL-padR)/2
		}
		return padL + float64(i)*(lw-padL-padR)/float64(n-1)
	}
	y := func(v float64) float64 { return padT + (1-v/max)*(lh-padT-padB) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart line" id="%s" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, esc(c.ID), lw, lh, esc(c.Title))
	for i := 0; i <= 5; i++ {
		v := max * float64(i) / 5
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/><text class="ytick" x="%.1f" y="%.1f">%s</text>`,
			padL, lw-padR, y(v), y(v), padL-6, y(v)+4, esc(tick(v)))
	}
	// As many period labels as fit at the largest font, the last always.
	step := 1
	if n > 1 {
		widest := 0.0
		for _, p := range c.Periods {
			widest = math.Max(widest, textWidth(p, maxFont)+8)
		}
		gap := (lw - padL - padR) / float64(n-1)
		for float64(step)*gap < widest {
			step++
		}
	}
	for i, p := range c.Periods {
		if (i%step == 0 && (i == n-1 || n-1-i >= step)) || i == n-1 {
			fmt.Fprintf(&b, `<text class="xtick" x="%.1f" y="%.1f">%s</text>`, x(i), lh-8, esc(p))
		}
	}
	for _, s := range c.Series {
		var path strings.Builder
		pen := false
		for i, p := range s.Points {
			if math.IsNaN(p.Value) {
				pen = false
				continue
			}
			cmd := "L"
			if !pen {
				cmd = "M"
			}
			fmt.Fprintf(&path, "%s%.1f %.1f", cmd, x(i), y(math.Min(p.Value, max)))
			pen = true
		}
		cls := "series " + s.Class
		if s.Dashed {
			cls += " target"
		}
		attrs := ""
		if s.Dashed && s.Figure != "" {
			attrs = data(s.Figure, s.Datum, math.NaN())
		}
		fmt.Fprintf(&b, `<path class="%s" d="%s"%s><title>%s</title></path>`, esc(cls), path.String(), attrs, esc(s.Name))
		if s.Dashed {
			continue
		}
		for i, p := range s.Points {
			if math.IsNaN(p.Value) {
				continue
			}
			fmt.Fprintf(&b, `<circle class="pt %s" cx="%.1f" cy="%.1f" r="4" tabindex="0" data-tip="%s"%s><title>%s</title></circle>`,
				esc(s.Class), x(i), y(math.Min(p.Value, max)), esc(p.Tip), data(p.Figure, p.Datum, p.Value), esc(p.Tip))
		}
	}
	b.WriteString(`</svg><ul class="legend">`)
	for _, s := range c.Series {
		cls := s.Class
		if s.Dashed {
			cls += " target"
		}
		fmt.Fprintf(&b, `<li><span class="key %s"></span>%s</li>`, esc(cls), esc(s.Name))
	}
	b.WriteString(`</ul>`)
	return template.HTML(b.String())
}

// Bar is one bar of a bar chart.
type Bar struct {
	Label string
	Value float64
	Text  string // the value as shown at the bar's end
	Tip   string
	Href  string // optional link (the bar's own filter)
	// Class colours the bar: "met" or "unmet" against the target, or "".
	Class string
	// Figure and Datum: as for Point.
	Figure, Datum string
}

// Bars is a horizontal bar chart, values in [0, Max], with an optional
// target line.
type Bars struct {
	ID     string
	Title  string
	Bars   []Bar
	Max    float64 // 0: 1
	Target float64 // drawn when > 0
	// TargetTip labels the target line.
	TargetTip string
	// TargetFigure and TargetDatum: the target line's figure, as for Point.
	TargetFigure, TargetDatum string
	Tick                      func(float64) string // x-axis labels (nil: percentages)
}

// SVG renders the chart.
func (c Bars) SVG() template.HTML {
	max := c.Max
	if max <= 0 {
		max = 1
	}
	h := barRow*float64(len(c.Bars)) + 24
	tick := c.Tick
	if tick == nil {
		tick = func(v float64) string { return fmt.Sprintf("%.0f%%", v*100) }
	}
	inner := bw - barPadL - barPad
	x := func(v float64) float64 { return barPadL + math.Max(0, math.Min(v, max))/max*inner }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart bars" id="%s" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, esc(c.ID), bw, h, esc(c.Title))
	for i := 0; i <= 4; i++ {
		v := max * float64(i) / 4
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" x2="%.1f" y1="0" y2="%.1f"/><text class="xtick" x="%.1f" y="%.1f">%s</text>`,
			x(v), x(v), h-18, x(v), h-4, esc(tick(v)))
	}
	for i, bar := range c.Bars {
		top := float64(i) * barRow
		label := bar.Label
		if r := []rune(label); textWidth(label, barFont) > barPadL-8 {
			n := int(math.Floor((barPadL - 8) / (0.62 * barFont)))
			label = string(r[:n-1]) + "…"
		}
		fmt.Fprintf(&b, `<text class="blabel" x="%.1f" y="%.1f">%s<title>%s</title></text>`, barPadL-6, top+13, esc(label), esc(bar.Label))
		cls := "bar"
		if bar.Class != "" {
			cls += " " + bar.Class
		}
		rect := fmt.Sprintf(`<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f" tabindex="0" data-tip="%s"%s><title>%s</title></rect>`,
			esc(cls), barPadL, top+3, math.Max(0.5, x(bar.Value)-barPadL), barRow-6, esc(bar.Tip), data(bar.Figure, bar.Datum, bar.Value), esc(bar.Tip))
		if bar.Href != "" {
			rect = fmt.Sprintf(`<a href="%s">%s</a>`, esc(bar.Href), rect)
		}
		b.WriteString(rect)
		// The value's label goes after the bar's end, unless it would sit
		// on the target line: then inside the bar when it fits there,
		// else after the target line.
		xv, w := x(bar.Value), textWidth(bar.Text, barFont)
		vx, vcls, anchor := xv+4, "bval", ""
		if c.Target > 0 {
			xt := x(c.Target)
			if xt >= vx-3 && xt <= vx+w+3 {
				if xv-barPadL >= w+8 {
					vx, vcls, anchor = xv-4, "bval in", ` text-anchor="end"`
				} else {
					vx = xt + 5
				}
			}
		}
		fmt.Fprintf(&b, `<text class="%s" x="%.1f" y="%.1f"%s>%s</text>`, vcls, vx, top+13, anchor, esc(bar.Text))
	}
	if c.Target > 0 {
		fmt.Fprintf(&b, `<line class="targetline" x1="%.1f" x2="%.1f" y1="0" y2="%.1f"%s><title>%s</title></line>`, x(c.Target), x(c.Target), h-18, data(c.TargetFigure, c.TargetDatum, c.Target), esc(c.TargetTip))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
