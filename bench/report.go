package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
)

// Figure is one line of the report: Kho's figure, the reference's measured
// in the same run, their ratio and the goal.
type Figure struct {
	Name      string  `json:"name"`
	Size      string  `json:"size"`
	Unit      string  `json:"unit"` // s, ms, MB
	Kho       float64 `json:"kho"`
	KhoDetail string  `json:"kho_detail,omitempty"`
	RefName   string  `json:"reference,omitempty"`
	Ref       float64 `json:"ref,omitempty"`
	RefDetail string  `json:"ref_detail,omitempty"`
	// Ratio is Kho over the reference (time or memory): 1.4 means 40% slower.
	Ratio float64 `json:"ratio,omitempty"`
	Goal  string  `json:"goal,omitempty"`
	// Met says whether the goal was met (absent: no goal).
	Met  *bool  `json:"met,omitempty"`
	Note string `json:"note,omitempty"`
	// Raw holds the measures behind the figure.
	Raw map[string]any `json:"raw,omitempty"`
}

// Report is a whole bench run.
type Report struct {
	Started   time.Time `json:"started"`
	Seconds   float64   `json:"seconds"`
	Host      Host      `json:"host"`
	Options   Options   `json:"options"`
	Figures   []Figure  `json:"figures"`
	Skipped   []string  `json:"skipped,omitempty"`
	KhoCommit string    `json:"kho_commit,omitempty"`
}

// Host is the machine the figures were taken on.
type Host struct {
	CPUs       int       `json:"cpus"`
	LoadBefore []float64 `json:"load_before"`
	LoadAfter  []float64 `json:"load_after"`
	LoadMax    float64   `json:"load_max"` // the highest 1-minute load seen between suites
	Kernel     string    `json:"kernel,omitempty"`
}

func ratio(kho, ref float64) float64 {
	if ref == 0 {
		return 0
	}
	return kho / ref
}

func boolp(b bool) *bool { return &b }

func (f Figure) value(v float64) string {
	switch f.Unit {
	case "s":
		return fmt.Sprintf("%.2f s", v)
	case "ms":
		return fmt.Sprintf("%.1f ms", v)
	case "MB":
		return fmt.Sprintf("%.0f MB", v)
	}
	return fmt.Sprintf("%g %s", v, f.Unit)
}

// printTable writes the report as an aligned table.
func printTable(w io.Writer, r *Report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tsize\tkho\treference\tref\tratio\tgoal\tmet\t")
	for _, f := range r.Figures {
		kho := f.value(f.Kho)
		if f.KhoDetail != "" {
			kho += " (" + f.KhoDetail + ")"
		}
		ref := ""
		if f.RefName != "" {
			ref = f.value(f.Ref)
			if f.RefDetail != "" {
				ref += " (" + f.RefDetail + ")"
			}
		}
		rt := ""
		if f.Ratio != 0 {
			rt = fmt.Sprintf("%.2fx", f.Ratio)
		}
		met := ""
		if f.Met != nil {
			met = "no"
			if *f.Met {
				met = "yes"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", f.Name, f.Size, kho, f.RefName, ref, rt, f.Goal, met)
	}
	tw.Flush()
	for _, f := range r.Figures {
		if f.Note != "" {
			fmt.Fprintf(w, "  %s %s: %s\n", f.Name, f.Size, f.Note)
		}
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(w, "  not measured: %s\n", s)
	}
	fmt.Fprintf(w, "load average before %s, after %s, highest between suites %.2f (%d CPUs); %.0f s in all\n",
		loads(r.Host.LoadBefore), loads(r.Host.LoadAfter), r.Host.LoadMax, r.Host.CPUs, r.Seconds)
}

func loads(l []float64) string {
	var s []string
	for _, v := range l {
		s = append(s, fmt.Sprintf("%.2f", v))
	}
	return strings.Join(s, " ")
}

// writeJSON writes the report to dir/<timestamp>.json and dir/latest.json.
func writeJSON(dir string, r *Report) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", err
	}
	b = append(b, '\n')
	name := filepath.Join(dir, r.Started.UTC().Format("20060102T150405Z")+".json")
	if err := os.WriteFile(name, b, 0o644); err != nil {
		return "", err
	}
	return name, os.WriteFile(filepath.Join(dir, "latest.json"), b, 0o644)
}

// loadAvg reads /proc/loadavg.
func loadAvg() []float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return nil
	}
	var l1, l5, l15 float64
	fmt.Sscanf(string(b), "%f %f %f", &l1, &l5, &l15)
	return []float64{l1, l5, l15}
}
