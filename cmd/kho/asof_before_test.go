package main

import (
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAsOfBeforeTableExisted: `kho query --as-of` a time before a table's
// first snapshot is an error that says when the table began, in +07,
// whatever the machine's zone; a time after it reads the table.
func TestAsOfBeforeTableExisted(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	kho(t, "init", dir)
	cfg := filepath.Join(dir, "kho.yaml")
	kho(t, "--config", cfg, "run", "reference_admin_units")
	for _, zone := range []string{"UTC", "America/New_York"} {
		t.Setenv("TZ", zone)
		_, err := khoErr(t, "--config", cfg, "query", "--as-of", "2020-01-01", "SELECT count(*) FROM reference.admin_units")
		require.Error(t, err, zone)
		msg := err.Error()
		assert.Contains(t, msg, "table reference.admin_units did not exist at 2020-01-01 00:00:00 +07", zone)
		assert.Regexp(t, regexp.MustCompile(`it began at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+07 \(its first snapshot, \d+\)`), msg, zone)
	}
	out := kho(t, "--config", cfg, "query", "--as-of", "2099-01-01", "SELECT count(*) > 0 AS ok FROM reference.admin_units")
	assert.Contains(t, out, "true")
}
