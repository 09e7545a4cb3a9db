package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBinaryLinksNoTestKit: the kho binary links none of the test kits
// (sqltest imports the runner and the lake; laketest, testlake, testenv),
// nor the standard library's testing through a package of ours: they are
// imported from _test.go files only.
func TestBinaryLinksNoTestKit(t *testing.T) {
	goBin, err := exec.LookPath("go")
	require.NoError(t, err, "the go tool lists the binary's packages")
	out, err := exec.Command(goBin, "list", "-tags=duckdb_arrow", "-deps", "-f", `{{.ImportPath}} {{join .Imports " "}}`, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	kits := []string{"/sqltest", "/laketest", "/testlake", "/testenv"}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, " ")
		for _, k := range kits {
			require.False(t, strings.HasSuffix(pkg, k), "the kho binary links the test kit %s", pkg)
		}
		if strings.HasPrefix(pkg, "github.com/sonla-data/kho") {
			for _, imp := range strings.Fields(imports) {
				require.NotEqual(t, "testing", imp, "%s (linked into kho) imports testing", pkg)
			}
		}
	}
}
