package dashboard

import (
	"context"
	"sort"
	"time"

	"github.com/sonla-data/kho/pipelines"
)

// freshRow is one pipeline's last run and its dataset's last commit.
type freshRow struct {
	Pipeline, Dataset, Schedule string
	Status                      string // ok | failed | running | never
	Started                     time.Time
	Error                       string
	Rows                        int64
	Modified                    time.Time
}

// freshness reads the run history and the lake: failed pipelines first, then
// the least recently updated datasets.
func (h *Handler) freshness(ctx context.Context) ([]freshRow, int, error) {
	latest, err := h.deps.History.Latest(ctx)
	if err != nil {
		return nil, 0, err
	}
	runs := map[string]pipelines.Run{}
	for _, r := range latest {
		runs[r.Pipeline] = r
	}
	var out []freshRow
	failed := 0
	seen := map[string]bool{}
	add := func(name, dataset, schedule string) error {
		row := freshRow{Pipeline: name, Dataset: dataset, Schedule: schedule, Status: "never"}
		if r, ok := runs[name]; ok {
			row.Status, row.Started, row.Error = r.Status, r.Started, r.Error
		}
		if row.Status == pipelines.StatusFailed {
			failed++
		}
		info, err := h.deps.Tables.Table(ctx, dataset)
		if err != nil {
			return err
		}
		row.Rows, row.Modified = info.Rows, info.Modified
		out = append(out, row)
		seen[name] = true
		return nil
	}
	for _, p := range h.deps.Pipelines {
		if err := add(p.Name, p.Target.Dataset, p.Schedule); err != nil {
			return nil, 0, err
		}
	}
	for _, r := range latest { // runs of pipelines no longer defined
		if !seen[r.Pipeline] {
			if err := add(r.Pipeline, r.Dataset, ""); err != nil {
				return nil, 0, err
			}
		}
	}
	rank := map[string]int{pipelines.StatusFailed: 0, "never": 1, pipelines.StatusRunning: 2, pipelines.StatusOK: 3}
	sort.SliceStable(out, func(i, j int) bool {
		if rank[out[i].Status] != rank[out[j].Status] {
			return rank[out[i].Status] < rank[out[j].Status]
		}
		if !out[i].Modified.Equal(out[j].Modified) {
			return out[i].Modified.Before(out[j].Modified)
		}
		return out[i].Pipeline < out[j].Pipeline
	})
	return out, failed, nil
}
