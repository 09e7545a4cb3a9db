package main

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAuditVerifyFindsDeletedEntries deletes the newest entries of the audit
// log around its triggers; kho audit --verify said "intact" (the chain of
// what is left is whole) and now names the entries missing, from the head
// it prints (issue 12, item 5).
func TestAuditVerifyFindsDeletedEntries(t *testing.T) {
	dir, config := workspace(t)
	for _, name := range []string{"một", "hai", "ba", "bốn"} {
		kho(t, "token", "create", "--config", config, "--role", "dashboard", "--name", name)
	}
	out := kho(t, "audit", "--config", config, "--verify")
	assert.Contains(t, out, "intact: 4 entries")
	assert.Contains(t, out, "head in security.db: 4 ")

	db, err := sql.Open("sqlite", filepath.Join(dir, "kho-data", "audit.db"))
	require.NoError(t, err)
	defer db.Close()
	for _, q := range []string{`DROP TRIGGER audit_no_delete`, `DELETE FROM audit WHERE id > 2`} {
		_, err := db.ExecContext(t.Context(), q)
		require.NoError(t, err)
	}
	out, err = runKho(t, "audit", "--config", config, "--verify")
	require.Error(t, err, out)
	assert.Contains(t, err.Error(), "entries 3 to 4 were deleted")
}
