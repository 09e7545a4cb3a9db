package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goTypeName matches what a Go type name or a decoder's own wording looks
// like in a message; none may reach a user.
var goTypeName = regexp.MustCompile(`map\[string\]|interface\s*\{|\[\]string|\[\]int|yaml: unmarshal errors|\*config\.|main\.Config|pipelines\.Pipeline|lake\.Config|mapstructure|strconv\.|!!seq|!!map|!!str|cannot unmarshal|expected type '|field \S+ not found in type`)

// TestValidateReportsEveryUnknownKey: kho.yaml and two pipeline files with
// misspelled keys (at the top, nested, in the source block), values of the
// wrong kind and a file that is not YAML: `kho validate` lists every
// problem at once, each as file:line:column with the key meant ("did you
// mean ..."), and no Go type name or decoder wording reaches the user.
func TestValidateReportsEveryUnknownKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "p")
	kho(t, "init", dir)
	config := filepath.Join(dir, "kho.yaml")
	pdir := filepath.Join(dir, "configs", "pipelines")
	write := func(path, text string) {
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	}
	write(filepath.Join(pdir, "a.yaml"), "name: a\ndescriptoin: x\nschedul: \"0 6 * * *\"\n"+
		"source: {type: csv, paht: data/le_hoi/*.csv}\ntarget: {dataset: culture_tourism.festivals, mdoe: overwrite}\n")
	write(filepath.Join(pdir, "b.yaml"), "name: b\nmapping: [1, 2]\ndepends_on: {x: 1}\nsource: {type: csv, path: data/le_hoi/*.csv}\ntarget: {dataset: culture_tourism.festivals, mode: overwrite}\n")
	write(filepath.Join(pdir, "c.yaml"), "name: c\nsource: [\n")

	_, err := khoErr(t, "--config", config, "validate")
	require.Error(t, err)
	msg := err.Error()
	for _, want := range []string{
		`a.yaml:2:1: unknown key "descriptoin" at the top level; did you mean "description"?`,
		`a.yaml:3:1: unknown key "schedul" at the top level; did you mean "schedule"?`,
		`a.yaml:4:21: unknown key "paht" in source; did you mean "path"?`,
		`a.yaml:5:46: unknown key "mdoe" in target; did you mean "mode"?`,
		`b.yaml:2: a list where a mapping (key: value lines) is expected`,
		`b.yaml:3: a mapping (key: value lines) where a list is expected`,
		`c.yaml:2: the file is not valid YAML`,
	} {
		assert.Contains(t, msg, want)
	}
	assert.NotRegexp(t, goTypeName, msg)

	// kho.yaml: every unknown key at once, then values of the wrong kind.
	bad := filepath.Join(dir, "bad.yaml")
	write(bad, "data_dir: kho-data\nlake:\n  rot: x\n  catalog: {tpye: sqlite}\npipelines_dirs: configs/pipelines\nlog: {levl: info}\n")
	_, err = khoErr(t, "--config", bad, "validate")
	require.Error(t, err)
	msg = err.Error()
	for _, want := range []string{
		`bad.yaml:3:3: unknown key "rot" in lake; did you mean "root"?`,
		`bad.yaml:4:13: unknown key "tpye" in lake.catalog; did you mean "type"?`,
		`bad.yaml:5:1: unknown key "pipelines_dirs" at the top level; did you mean "pipelines_dir"?`,
		`bad.yaml:6:7: unknown key "levl" in log; did you mean "level"?`,
	} {
		assert.Contains(t, msg, want)
	}
	assert.NotRegexp(t, goTypeName, msg)
	write(bad, "lake:\n  min_snapshots: ten\n  root: [a]\n")
	_, err = khoErr(t, "--config", bad, "validate")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad.yaml:2:3: lake.min_snapshots must be a whole number")
	assert.Contains(t, err.Error(), "bad.yaml:3:3: lake.root must be a single text value")
	assert.NotRegexp(t, goTypeName, err.Error())
}

// TestBrokenConfigInWords: kho.yaml broken in the ways a hand edit breaks
// it — a key set twice, a list for the whole file, a section given as one
// value (which the decoder silently ignored), a log level or format the
// logger silently replaced by its default — is refused by every command,
// each problem at file:line(:column) in words, no Go type name.
func TestBrokenConfigInWords(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "kho.yaml")
	for _, c := range []struct {
		name, text string
		want       []string
	}{
		{"key twice", "data_dir: a\nlog: {level: error}\ndata_dir: b\n", []string{config + `:3: mapping key "data_dir" already defined at line 1`}},
		{"a list", "- data_dir: a\n", []string{config + `:1: a list where a mapping (key: value lines) is expected`}},
		{"sections as values", "lake: kho-data/lake\nserve: [a]\nlog:\n  level: error\nquery:\n", []string{
			config + `:1:7: lake must be a mapping (key: value lines), not a single value (kho-data/lake)`,
			config + `:2:8: serve must be a mapping (key: value lines), not a list`}},
		{"nested section", "lake:\n  catalog: postgres\n", []string{config + `:2:12: lake.catalog must be a mapping (key: value lines), not a single value (postgres)`}},
		{"log words", "log: {level: loud, format: xml}\n", []string{
			config + `:1:7: log.level: "loud" must be debug, info, warn or error`,
			config + `:1:20: log.format: "xml" must be auto, text or json`}},
		{"heap limit", "run: {heap_limit: 2 lakh}\n", []string{config + `:1:7: run.heap_limit: "2 lakh" must be a size such as 200MiB, 1GiB or 500MB`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(config, []byte(c.text), 0o644))
			for _, args := range [][]string{{"validate"}, {"query", "SELECT 1"}} {
				_, err := khoErr(t, append([]string{"--config", config}, args...)...)
				require.Error(t, err, "kho %v", args)
				for _, w := range c.want {
					assert.Contains(t, err.Error(), w)
				}
				assert.NotRegexp(t, goTypeName, err.Error())
			}
		})
	}
	// An empty section keeps its defaults; a level in capitals is a level.
	require.NoError(t, os.WriteFile(config, []byte("lake:\nlog: {level: ERROR}\n"), 0o644))
	kho(t, "--config", config, "query", "SELECT 1")
}
