// Package laketest gives tests a lake on each catalog: a SQLite file in a
// temporary folder, and a PostgreSQL database of its own on the server named
// by KHO_TEST_PG_DSN, created with a random name and dropped afterwards.
package laketest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"github.com/sonla-data/kho/warehouse/lake"
)

// Catalogs are the catalog types a lake test runs on.
var Catalogs = []string{"sqlite", "postgres"}

// Config is a lake config on a fresh catalog of the given type, with its
// root in a temporary folder. A postgres catalog needs KHO_TEST_PG_DSN; the
// test is skipped when it is unset, unless KHO_TEST_REQUIRE_SERVICES=1
// (CI), where it fails.
func Config(t testing.TB, catalog string) lake.Config {
	t.Helper()
	cfg := lake.Config{Root: t.TempDir()}
	if catalog == "postgres" {
		cfg.Catalog = lake.CatalogConfig{Type: "postgres", DSN: PostgresDSN(t)}
	}
	return cfg
}

// PostgresDSN creates a database with a random name on the server of
// KHO_TEST_PG_DSN and returns its connection string; the database is
// dropped when the test ends.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv("KHO_TEST_PG_DSN")
	if base == "" {
		if os.Getenv("KHO_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal("KHO_TEST_PG_DSN is unset but KHO_TEST_REQUIRE_SERVICES=1: the PostgreSQL catalog must be tested")
		}
		t.Skip("the PostgreSQL catalog test needs a server: set KHO_TEST_PG_DSN (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("KHO_TEST_PG_DSN: %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "kho_lake_test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("opening %s: %v", u.Redacted(), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE "`+name+`"`); err != nil {
		admin.Close()
		t.Fatalf("creating database %s on %s: %v", name, u.Redacted(), err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`); err != nil {
			t.Errorf("dropping database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
