package orchestrate_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/pipelines/orchestrate"
)

func names(ps []*pipelines.Pipeline) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}

// TestSelect: every pipeline after those it depends on, dependencies
// outside a named selection left out; unknown names and cycles refused.
func TestSelect(t *testing.T) {
	ps := []*pipelines.Pipeline{
		{Name: "marts_feed", DependsOn: []string{"visits", "units"}},
		{Name: "visits", DependsOn: []string{"units"}},
		{Name: "units"},
		{Name: "alone"},
	}
	all, err := orchestrate.Select(ps, nil, true)
	require.NoError(t, err)
	assert.Equal(t, []string{"units", "visits", "marts_feed", "alone"}, names(all))

	some, err := orchestrate.Select(ps, []string{"marts_feed", "units"}, false)
	require.NoError(t, err)
	assert.Equal(t, []string{"units", "marts_feed"}, names(some), "visits was not named: not run")

	_, err = orchestrate.Select(ps, []string{"nope"}, false)
	require.Error(t, err)
	assert.True(t, errors.Is(err, orchestrate.ErrSelect))
	assert.Contains(t, err.Error(), `no pipeline "nope" (have: alone, marts_feed, units, visits)`)

	cyc := []*pipelines.Pipeline{{Name: "a", DependsOn: []string{"b"}}, {Name: "b", DependsOn: []string{"a"}}}
	_, err = orchestrate.Select(cyc, nil, true)
	require.Error(t, err)
	assert.True(t, errors.Is(err, orchestrate.ErrSelect))
	assert.Contains(t, err.Error(), "cycle: a -> b -> a")
}
