package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/server/pages/dashboard"
	"github.com/sonla-data/kho/server/pages/site"
	"github.com/sonla-data/kho/warehouse/query"
)

func newSummaryCmd(g *globals) *cobra.Command {
	var from, to, month string
	cmd := &cobra.Command{
		Use:   "summary",
		Short: "The leadership summary: the dossier KPIs against the plan over the year to date (as the dashboard), and the quarantine",
		Long: `The dossier KPIs of the province against the plan's targets, judged as the
dashboard judges them: by default on the year to date of the latest month
with dossiers (the plan's targets are yearly); --month YYYY-MM judges one
month, --from/--to YYYY-MM a period. Each rate is the sum of its numerators
over the sum of its denominators.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := summaryPeriod(from, to, month)
			if err != nil {
				return err
			}
			a, err := openFor(cmd, g, true)
			if err != nil {
				return err
			}
			defer a.close()
			// The summary reads the dossier KPI marts; a project without the
			// dossier pipelines never builds them.
			ok, err := a.lake.Exists(cmd.Context(), summaryMart)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("the leadership summary reads %s, which is not built: it is built from the dossiers (admin_procedures.dossiers) and the plan's targets; `kho status` says what it waits for, `kho run --all` builds it once they are loaded", summaryMart)
			}
			return writeSummary(cmd.Context(), cmd.OutOrStdout(), a.engine, p)
		},
	}
	cmd.Flags().StringVar(&month, "month", "", "judge one month (YYYY-MM)")
	cmd.Flags().StringVar(&from, "from", "", "first month of the period (YYYY-MM; default January of --to's year)")
	cmd.Flags().StringVar(&to, "to", "", "last month of the period (YYYY-MM; default the latest month with dossiers)")
	return cmd
}

// summaryMart is the mart kho summary reads first.
const summaryMart = "marts.dossier_kpi_province_monthly"

// period is a summary's months; zero values take the dashboard's defaults.
type period struct{ from, to time.Time }

func summaryPeriod(from, to, month string) (period, error) {
	parse := func(flag, s string) (time.Time, error) {
		if s == "" {
			return time.Time{}, nil
		}
		t, err := time.Parse("2006-01", s)
		if err != nil {
			return time.Time{}, fmt.Errorf("--%s %q: want a month as YYYY-MM", flag, s)
		}
		return t, nil
	}
	if month != "" {
		if from != "" || to != "" {
			return period{}, fmt.Errorf("--month judges one month: give it alone, or --from/--to")
		}
		m, err := parse("month", month)
		return period{m, m}, err
	}
	f, err := parse("from", from)
	if err != nil {
		return period{}, err
	}
	t, err := parse("to", to)
	if err == nil && !t.IsZero() && f.IsZero() {
		f = time.Date(t.Year(), time.January, 1, 0, 0, 0, 0, time.UTC)
	}
	return period{f, t}, err
}

// writeSummary prints the province's dossier KPIs over the period, judged
// by the dashboard's own code (dashboard.Summarize), and the quarantine
// counts.
func writeSummary(ctx context.Context, w io.Writer, e *query.Engine, p period) error {
	fmt.Fprintln(w, "TÓM TẮT CHO LÃNH ĐẠO / LEADERSHIP SUMMARY — Kế hoạch 210/KH-UBND")
	s, err := dashboard.Summarize(ctx, e.Rows, p.from, p.to)
	switch {
	case err != nil:
		return err
	case s == nil:
		fmt.Fprintln(w, "  Chưa có hồ sơ TTHC trong kho / no dossiers in the lake yet")
	default:
		fmt.Fprintf(w, "\nHồ sơ TTHC %s / dossiers of %s: %s tiếp nhận (received), %s đã giải quyết (completed)\n",
			dashboard.PeriodLabel(site.VI, s.From, s.To), dashboard.PeriodLabel(site.EN, s.From, s.To), count(s.Received), count(s.Completed))
		names := map[string][2]string{
			"digitised": {"Tỷ lệ hồ sơ số hóa", "digitised"},
			"reuse":     {"Tỷ lệ tái sử dụng kết quả số hóa", "results reused"},
			"on_time":   {"Tỷ lệ giải quyết đúng hạn", "on time"},
			"online":    {"Tỷ lệ nộp trực tuyến", "submitted online"},
		}
		line := func(vi, en string, n, d float64, target string, verdict string) {
			fmt.Fprintf(w, "  %-36s %-26s %6s %17s%s%s\n", vi, "("+en+")", pct(n, d), "("+count(n)+"/"+count(d)+")", target, verdict)
		}
		for _, v := range s.Verdicts {
			t, verdict := "", ""
			if v.HasTarget {
				t = fmt.Sprintf("  chỉ tiêu/target %5.1f%%", 100*v.Target)
				verdict = "  CHƯA ĐẠT/not met"
				if v.Met {
					verdict = "  ĐẠT/met"
				}
			}
			line(names[v.Key][0], names[v.Key][1], v.Num, v.Den, t, verdict)
		}
		line("Tỷ lệ thanh toán trực tuyến", "paid online", s.PaidOnline, s.Received, "", "")
	}
	counts, err := quarantineCounts(ctx, e)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\nDòng bị cách ly theo tập dữ liệu / quarantined rows by dataset:")
	if len(counts) == 0 {
		fmt.Fprintln(w, "  không có / none")
	}
	names := make([]string, 0, len(counts))
	for n := range counts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-44s %8d\n", n, counts[n])
	}
	return nil
}

// pct is a ratio of sums as a percentage, "-" when there is no denominator.
func pct(n, d float64) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*n/d)
}

// count prints a count (a decimal where commune shares split dossiers).
func count(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// quarantineCounts counts the rows of every quarantine table.
func quarantineCounts(ctx context.Context, e *query.Engine) (map[string]int64, error) {
	out := map[string]int64{}
	for _, t := range e.Tables() {
		if !strings.HasSuffix(t, pipelines.QuarantineSuffix) {
			continue
		}
		ns, name, _ := strings.Cut(t, ".")
		var n int64
		if err := e.DB().QueryRowContext(ctx, "SELECT count(*) FROM "+query.Ident(ns)+"."+query.Ident(name)).Scan(&n); err != nil {
			return nil, fmt.Errorf("counting %s: %w", t, err)
		}
		out[strings.TrimSuffix(t, pipelines.QuarantineSuffix)] = n
	}
	return out, nil
}
