// Package sqltest helps the integration tests of the database connectors:
// the test servers (from KHO_TEST_PG_DSN and KHO_TEST_MYSQL_DSN), a pipeline
// run into a lake in a temporary folder, and the lake's rows read back with
// an Iceberg scan. It is imported by tests only.
package sqltest

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
)

// ServerDSN returns the DSN of the test server named by envVar. Without it the
// test is skipped, saying why — unless KHO_TEST_REQUIRE_SERVICES=1 (CI), where
// it fails.
func ServerDSN(t testing.TB, envVar string) string {
	t.Helper()
	dsn := os.Getenv(envVar)
	if dsn == "" {
		if os.Getenv("KHO_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatalf("%s is not set, and KHO_TEST_REQUIRE_SERVICES=1 requires the server", envVar)
		}
		t.Skipf("%s is not set: no server to run this integration test against (.ci/run starts one)", envVar)
	}
	return dsn
}

// RandomName is a fresh lower-case identifier: prefix_ and 12 hex digits.
func RandomName(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + "_" + hex.EncodeToString(b[:])
}
