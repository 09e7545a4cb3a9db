package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/warehouse/query"
)

func newSummaryCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "summary",
		Short: "The leadership summary: the dossier KPIs of the latest month against the plan, and the quarantine",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := openFor(cmd, g, true)
			if err != nil {
				return err
			}
			defer a.close()
			return writeSummary(cmd.Context(), cmd.OutOrStdout(), a.engine)
		},
	}
}

// writeSummary prints the KPI mart's latest month and the quarantine counts.
func writeSummary(ctx context.Context, w io.Writer, e *query.Engine) error {
	db := e.DB()
	fmt.Fprintln(w, "TÓM TẮT CHO LÃNH ĐẠO / LEADERSHIP SUMMARY — Kế hoạch 210/KH-UBND")
	var (
		month                                                   time.Time
		received, completed                                     int64
		onTime, online, digitised, reuse, payment, tDig, tReuse sql.NullFloat64
		tOnTime, tOnline                                        sql.NullFloat64
	)
	err := db.QueryRowContext(ctx, `SELECT month, received, completed, on_time_rate, online_rate, digitised_rate,
		reuse_rate, online_payment_rate, digitised_target, reuse_target, on_time_target, online_target
		FROM marts.dossier_kpi_province_monthly ORDER BY month DESC LIMIT 1`).
		Scan(&month, &received, &completed, &onTime, &online, &digitised, &reuse, &payment, &tDig, &tReuse, &tOnTime, &tOnline)
	switch {
	case err == sql.ErrNoRows:
		fmt.Fprintln(w, "  Chưa có hồ sơ TTHC trong kho / no dossiers in the lake yet")
	case err != nil:
		return fmt.Errorf("reading marts.dossier_kpi_province_monthly: %w", err)
	default:
		fmt.Fprintf(w, "\nHồ sơ TTHC tháng %s / dossiers of %s: %d tiếp nhận (received), %d đã giải quyết (completed)\n",
			month.Format("01/2006"), month.Format("2006-01"), received, completed)
		line := func(vi, en string, v, target sql.NullFloat64) {
			t, verdict := "", ""
			if target.Valid {
				t = fmt.Sprintf("  chỉ tiêu/target %5.1f%%", 100*target.Float64)
				verdict = "  ĐẠT/met"
				if v.Float64 < target.Float64 {
					verdict = "  CHƯA ĐẠT/not met"
				}
			}
			fmt.Fprintf(w, "  %-36s %-26s %6s%s%s\n", vi, "("+en+")", pct(v), t, verdict)
		}
		line("Tỷ lệ hồ sơ số hóa", "digitised", digitised, tDig)
		line("Tỷ lệ tái sử dụng kết quả số hóa", "results reused", reuse, tReuse)
		line("Tỷ lệ giải quyết đúng hạn", "on time", onTime, tOnTime)
		line("Tỷ lệ nộp trực tuyến", "submitted online", online, tOnline)
		line("Tỷ lệ thanh toán trực tuyến", "paid online", payment, sql.NullFloat64{})
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

func pct(v sql.NullFloat64) string {
	if !v.Valid {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*v.Float64)
}

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
