package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/warehouse/lake"
)

// newLakeCheckCmd is `kho lake check [--repair]`.
func newLakeCheckCmd(g *globals) *cobra.Command {
	var repair bool
	var grace time.Duration
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check every table's metadata, manifests and data files; list orphans, dead runs, uncommitted quarantine; --repair fixes what can be",
		Long: "Reads every table's metadata and every manifest list and manifest of its retained snapshots, and checks\n" +
			"that every file they name exists with its recorded size. A broken table is named with its missing or\n" +
			"damaged files and the way out: the snapshot to roll back to, or (metadata) the previous metadata file.\n" +
			"Also lists the files no snapshot references that are older than --grace (orphans of failed writes and\n" +
			"killed compactions), the runs still \"running\" whose process is gone, and quarantine rows of runs that\n" +
			"never committed their data. --repair removes the orphans and those quarantine rows, marks the dead runs\n" +
			"killed, and points a table whose metadata file is damaged back at the previous one. Exit status 1 when a\n" +
			"table is broken (after the repair).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if grace < 0 {
				return usageError{fmt.Errorf("--grace %s: a duration of 0 or more (0: every unreferenced file, even one a write in progress is making)", grace)}
			}
			a, err := openFor(cmd, g, false)
			if err != nil {
				return err
			}
			defer a.close()
			return a.lakeCheck(cmd.Context(), cmd.OutOrStdout(), repair, repair, grace)
		},
	}
	cmd.Flags().BoolVar(&repair, "repair", false, "remove orphans and uncommitted quarantine rows, mark dead runs killed, revert damaged metadata")
	cmd.Flags().DurationVar(&grace, "grace", lake.DefaultOrphanGrace, "an unreferenced file younger than this is not an orphan (it may be a write in progress)")
	return cmd
}

// lakeCheck runs the check and prints what it found; repair fixes the
// orphans, the dead runs and the quarantine, revert the damaged metadata.
func (a *app) lakeCheck(ctx context.Context, out io.Writer, repair, revert bool, grace time.Duration) error {
	opts := lake.CheckOptions{Grace: grace, RemoveOrphans: repair}
	if grace == 0 {
		opts.Grace = time.Nanosecond // --grace 0: lake.CheckOptions reads 0 as its default
	}
	res, err := a.lake.Check(ctx, opts)
	if err != nil {
		return err
	}
	broken := 0
	byTable := map[string][]lake.Problem{}
	for _, p := range res.Problems {
		byTable[p.Table] = append(byTable[p.Table], p)
	}
	for _, h := range res.Tables {
		probs := byTable[h.Table]
		if !h.Broken && len(probs) == 0 {
			fmt.Fprintf(out, "ok     %-44s %4d snapshots %6d files\n", h.Table, h.Snapshots, h.Files)
			continue
		}
		state := "WARN  "
		if h.Broken {
			state = "BROKEN"
		}
		fmt.Fprintf(out, "%s %-44s %4d snapshots %6d files\n", state, h.Table, h.Snapshots, h.Files)
		printProblems(out, probs)
		if !h.Broken {
			fmt.Fprintf(out, "       the current snapshot reads; `kho lake expire %s` drops the old snapshots that need these files\n", h.Table)
			continue
		}
		switch {
		case h.Snapshots == 0 && revert:
			prev, err := a.lake.RevertMetadata(ctx, h.Table)
			if err != nil {
				fmt.Fprintf(out, "       way out: %v\n", err)
				broken++
				continue
			}
			fmt.Fprintf(out, "       repaired: the catalog points at the previous metadata file %s (the table's last commit is undone; its pipeline loads those rows again)\n", prev)
		case h.Snapshots == 0:
			fmt.Fprintf(out, "       way out: `kho lake check --repair` points the catalog back at the previous metadata file (undoing the last commit), or `kho lake restore BACKUP_DIR`\n")
			broken++
		case h.RollbackTo != 0:
			fmt.Fprintf(out, "       way out: `kho lake rollback %s %d` (the newest snapshot whose files are all there), or `kho lake restore BACKUP_DIR`\n", h.Table, h.RollbackTo)
			broken++
		default:
			fmt.Fprintf(out, "       way out: no snapshot of its history has all its files: `kho lake restore BACKUP_DIR`\n")
			broken++
		}
	}
	if n := len(res.Orphans); n > 0 {
		var size int64
		removed := 0
		for _, o := range res.Orphans {
			size += o.Size
			if o.Removed {
				removed++
			}
		}
		verb := "listed; `kho lake check --repair` removes them"
		if repair {
			verb = fmt.Sprintf("%d removed", removed)
		}
		fmt.Fprintf(out, "orphans: %d file(s), %d bytes, unreferenced for more than %s (%s)\n", n, size, grace, verb)
		for i, o := range res.Orphans {
			if i == 20 {
				fmt.Fprintf(out, "  … and %d more\n", n-20)
				break
			}
			fmt.Fprintf(out, "  %s  %d bytes  %s\n", o.Path, o.Size, o.ModTime.In(hcmZone).Format("2006-01-02 15:04:05 -07"))
		}
	}
	wait, _ := a.cfg.Lake.LockWait()
	dead, err := pipelines.DeadRuns(ctx, a.history, a.lake, wait+time.Minute, repair)
	if err != nil {
		return err
	}
	for _, d := range dead {
		what := "listed; `kho lake check --repair` marks it killed"
		if d.Marked {
			what = "marked killed"
		}
		fmt.Fprintf(out, "run %s of %s (started %s) is still \"running\" but its process is gone (%s)\n",
			d.ID, d.Pipeline, d.Started.In(hcmZone).Format("2006-01-02 15:04:05 -07"), what)
	}
	unq, err := pipelines.RepairQuarantine(ctx, a.lake, repair)
	if err != nil {
		return err
	}
	for _, u := range unq {
		what := "listed; `kho lake check --repair` removes them now, the pipeline's next run would"
		if u.Removed {
			what = "removed"
		}
		fmt.Fprintf(out, "%s holds rows of %d run(s) of %s that never committed their data: %v (%s)\n", u.Table, len(u.Runs), u.Pipeline, u.Runs, what)
	}
	if broken > 0 {
		return fmt.Errorf("%d table(s) broken: see the way out above (docs/operations.md)", broken)
	}
	return nil
}

func printProblems(out io.Writer, probs []lake.Problem) {
	for i, p := range probs {
		if i == 20 {
			fmt.Fprintf(out, "       … and %d more\n", len(probs)-20)
			return
		}
		fmt.Fprintf(out, "       %s\n", p)
	}
}
