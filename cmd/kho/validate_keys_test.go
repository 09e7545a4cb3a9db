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
