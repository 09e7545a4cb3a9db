package pgwire_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// The real clients the client tests drive, pinned: pgjdbc from Maven Central
// (the version interop/jars.txt pins), psycopg and SQLAlchemy from PyPI
// (testdata/python/requirements.txt). They are installed once under
// $KHO_CLIENTS_CACHE (default ~/.cache/kho-clients), the jar shared with the
// interop suite's cache when it is there.
const pgjdbcVersion = "42.7.8"

// needTool finds a program the client tests run; without it the test fails
// when KHO_TEST_REQUIRE_SERVICES is set (CI), and skips saying why otherwise.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("KHO_TEST_REQUIRE_SERVICES") != "" {
			t.Fatalf("%s is needed by the real-client tests and is not installed (.ci/run installs it)", name)
		}
		t.Skipf("skipped: %s is not installed (the real-client tests need it; KHO_TEST_REQUIRE_SERVICES makes this a failure)", name)
	}
	return p
}

func clientsCache(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("KHO_CLIENTS_CACHE")
	if dir == "" {
		home, err := os.UserHomeDir()
		require.NoError(t, err)
		dir = filepath.Join(home, ".cache", "kho-clients")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

var installMu sync.Mutex

// pgjdbcJar returns the path of the pinned pgjdbc jar, fetching it with
// Maven when it is in no cache.
func pgjdbcJar(t *testing.T) string {
	t.Helper()
	installMu.Lock()
	defer installMu.Unlock()
	name := "postgresql-" + pgjdbcVersion + ".jar"
	dir := clientsCache(t)
	jar := filepath.Join(dir, name)
	if fi, err := os.Stat(jar); err == nil && fi.Size() > 0 {
		return jar
	}
	if home, err := os.UserHomeDir(); err == nil {
		for _, p := range []string{filepath.Join(home, ".cache", "kho-interop", "jars", name),
			filepath.Join(home, ".m2", "repository", "org", "postgresql", "postgresql", pgjdbcVersion, name)} {
			if b, err := os.ReadFile(p); err == nil && len(b) > 0 {
				require.NoError(t, os.WriteFile(jar, b, 0o644))
				return jar
			}
		}
	}
	mvn := needTool(t, "mvn")
	cmd := exec.CommandContext(t.Context(), mvn, "-q", "-B", "dependency:copy", "-Dartifact=org.postgresql:postgresql:"+pgjdbcVersion, "-DoutputDirectory="+dir)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "fetching pgjdbc %s with Maven: %s", pgjdbcVersion, out)
	return jar
}

// javaProgram compiles testdata/jdbc/KhoJdbc.java against the jar and
// returns the class path to run it with.
func javaProgram(t *testing.T, jar string) string {
	t.Helper()
	javac := needTool(t, "javac")
	dir := t.TempDir()
	src, err := filepath.Abs("testdata/jdbc/KhoJdbc.java")
	require.NoError(t, err)
	out, err := exec.CommandContext(t.Context(), javac, "-encoding", "UTF-8", "-cp", jar, "-d", dir, src).CombinedOutput()
	require.NoError(t, err, "compiling KhoJdbc.java: %s", out)
	return jar + string(os.PathListSeparator) + dir
}

// steps reads the program's "step<TAB>value…" lines by step.
func steps(out string) map[string][]string {
	m := map[string][]string{}
	for _, l := range strings.Split(out, "\n") {
		name, rest, ok := strings.Cut(strings.TrimRight(l, "\r"), "\t")
		if ok {
			m[name] = append(m[name], rest)
		}
	}
	return m
}

// pythonClients returns the python of a virtual environment holding the
// pinned psycopg and SQLAlchemy (testdata/python/requirements.txt),
// installing them from PyPI when the requirements changed.
func pythonClients(t *testing.T) string {
	t.Helper()
	installMu.Lock()
	defer installMu.Unlock()
	python := needTool(t, "python3")
	venv := filepath.Join(clientsCache(t), "venv")
	req, err := os.ReadFile("testdata/python/requirements.txt")
	require.NoError(t, err)
	py := filepath.Join(venv, "bin", "python")
	if have, err := os.ReadFile(filepath.Join(venv, "requirements.txt")); err == nil && string(have) == string(req) {
		if _, err := os.Stat(py); err == nil {
			return py
		}
	}
	if _, err := os.Stat(py); err != nil {
		out, err := exec.CommandContext(t.Context(), python, "-m", "venv", venv).CombinedOutput()
		require.NoError(t, err, "making the clients' virtual environment: %s", out)
	}
	out, err := exec.CommandContext(t.Context(), filepath.Join(venv, "bin", "pip"), "install", "-q", "--disable-pip-version-check",
		"-r", "testdata/python/requirements.txt").CombinedOutput()
	require.NoError(t, err, "installing psycopg and SQLAlchemy from PyPI: %s", out)
	require.NoError(t, os.WriteFile(filepath.Join(venv, "requirements.txt"), req, 0o644))
	return py
}
