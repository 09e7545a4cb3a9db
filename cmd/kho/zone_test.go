package main

import (
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPrintedTimesSayPlus07: with the machine's zone set to UTC and to
// America/New_York, the times `kho status`, `kho runs` and `kho lake
// snapshots` print carry +07 (Asia/Ho_Chi_Minh), and none is printed in the
// machine's zone.
func TestPrintedTimesSayPlus07(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	kho(t, "init", dir)
	cfg := filepath.Join(dir, "kho.yaml")
	kho(t, "--config", cfg, "run", "reference_admin_units")
	local := time.Local
	t.Cleanup(func() { time.Local = local })
	stamp := regexp.MustCompile(`\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?( ?[+-]\d\d(:?\d\d)?)?`)
	for _, zone := range []string{"UTC", "America/New_York"} {
		loc, err := time.LoadLocation(zone)
		require.NoError(t, err)
		time.Local = loc
		for _, args := range [][]string{{"status"}, {"runs", "reference_admin_units"}, {"lake", "snapshots", "reference.admin_units"}} {
			out := kho(t, append([]string{"--config", cfg}, args...)...)
			found := stamp.FindAllString(out, -1)
			require.NotEmpty(t, found, "kho %v prints a time", args)
			for _, s := range found {
				assert.Regexp(t, `\+07(:?00)?$`, s, "kho %v under TZ=%s: %q", args, zone, s)
			}
		}
	}
}
