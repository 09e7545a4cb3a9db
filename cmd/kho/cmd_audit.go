package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/security/audit"
)

var hcmZone = time.FixedZone("Asia/Ho_Chi_Minh", 7*3600)

func newAuditCmd(g *globals) *cobra.Command {
	var since, format string
	var f audit.Filter
	var verify bool
	cmd := &cobra.Command{
		Use:   "audit [--since 24h|2025-07-01] [--user NAME|ID] [--outcome refused]",
		Short: "Read the audit log: every query and admin action of kho serve and kho token",
		Long: "Prints the audit log (kho-data/audit.db): who (token id, name, role), when, what (SQL, mart,\n" +
			"download, token action), rows, duration, outcome (ok, refused, error, timeout, canceled) and\n" +
			"the reason of refusals; floods (failed logins, refused connections) are one entry per client and\n" +
			"minute with a COUNT. --verify checks the hash chain that shows edits made around Kho, and its end\n" +
			"against the head kept in security.db, which shows entries deleted from the end.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(g.configPath)
			if err != nil {
				return err
			}
			if since != "" {
				t, err := parseSince(since, time.Now())
				if err != nil {
					return usageError{err}
				}
				f.Since = t
			}
			l, err := openAudit(cmd.Context(), cfg, nil)
			if err != nil {
				return err
			}
			defer l.Close()
			out := cmd.OutOrStdout()
			if verify {
				v, err := l.Verify(cmd.Context())
				if err != nil {
					return err
				}
				printVerified(out, v)
				return nil
			}
			es, err := l.Entries(cmd.Context(), f)
			if err != nil {
				return err
			}
			if format == "json" {
				enc := json.NewEncoder(out)
				for _, e := range es {
					if err := enc.Encode(e); err != nil {
						return err
					}
				}
				return nil
			}
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tAT\tWHO\tROLE\tSOURCE\tACTION\tOUTCOME\tCOUNT\tROWS\tMS\tWHAT\tREASON")
			for _, e := range es {
				who := e.Name
				if e.TokenID != "" {
					who += " (" + e.TokenID + ")"
				}
				what := e.SQL
				if e.Object != "" && e.Kind == audit.KindAdmin {
					what = e.Object + " " + e.SQL
				}
				if who == "" {
					who = e.Remote
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\n", e.ID, e.At.In(hcmZone).Format("2006-01-02 15:04:05 -07"),
					who, e.Role, e.Source, e.Action, e.Outcome, max(e.Count, 1), e.Rows, e.Duration.Milliseconds(), oneLine(what, 80), oneLine(e.Reason, 60))
			}
			return tw.Flush()
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&since, "since", "", "entries from: a duration back (24h, 7d) or a date (2025-07-01, Asia/Ho_Chi_Minh)")
	fl.StringVar(&f.User, "user", "", "a token's name or id")
	fl.StringVar(&f.Outcome, "outcome", "", "ok | refused | error | timeout | canceled")
	fl.IntVar(&f.Limit, "limit", 1000, "at most this many (the newest)")
	fl.StringVar(&format, "format", "table", "table | json")
	fl.BoolVar(&verify, "verify", false, "check the hash chain of the whole log")
	return cmd
}

func printVerified(out io.Writer, v audit.Verified) {
	fmt.Fprintf(out, "Nhật ký nguyên vẹn / the audit log is intact: %d entries\n", v.Entries)
	if v.Entries > 0 {
		fmt.Fprintf(out, "mục cuối / last entry: %d %s\n", v.Last.ID, v.Last.Hash)
	}
	if v.Head != nil {
		fmt.Fprintf(out, "đầu chuỗi trong security.db / head in security.db: %d %s (%s)\n", v.Head.ID, v.Head.Hash, v.Head.At.In(hcmZone).Format("2006-01-02 15:04:05 -07"))
	}
	if v.After > 0 {
		fmt.Fprintf(out, "chú ý / note: %d entries after the recorded head (written by a process that stopped before it recorded the head); the next entry moves the head over them\n", v.After)
	}
}

// parseSince reads 24h, 7d, 2025-07-01 or "2025-07-01 08:30".
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(d, "%d", &n); err == nil && fmt.Sprint(n) == d {
			return now.AddDate(0, 0, -n), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01-02 15:04", "2006-01-02T15:04:05Z07:00"} {
		if t, err := time.ParseInLocation(layout, s, hcmZone); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--since %q: một khoảng (24h, 7d) hoặc một ngày (2025-07-01) / a duration (24h, 7d) or a date (2025-07-01)", s)
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}
