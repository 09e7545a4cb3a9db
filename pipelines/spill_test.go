package pipelines_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/quality"
	"github.com/sonla-data/kho/schemas"
)

const spillSchema = `
dataset: labour.spill_people
label: Người thử
owner: Sở Nội vụ
classification: open
key: [person_id]
columns:
  - {name: person_id, label: Mã, type: string, required: true}
  - {name: email, label: Thư điện tử, type: string, unique: true}
  - {name: phone, label: Điện thoại, type: string, unique: true, severity: {unique: warn}}
  - {name: n, label: Số, type: int, min: 0}
`

const spillRows = 20000 // three source batches

// spillRow is row i of the test's CSV file: every 13th row repeats an
// earlier key (often of another batch), every 17th an earlier email (often
// of a row that was itself quarantined, whose email must then not count),
// every 211th has no key, every 7th no email (never a duplicate), phones
// repeat every 5000 rows (a warning, the row is kept), every 50th row has
// a negative count (its key, left unmarked, is good when it comes again).
func spillRow(i int) (id, email, phone string, n int) {
	id = fmt.Sprint("P", i)
	if i%13 == 12 {
		id = fmt.Sprint("P", i/2)
	}
	if i%211 == 100 {
		id = ""
	}
	email = fmt.Sprint("e", i, "@x.vn")
	if i%17 == 5 {
		email = fmt.Sprint("e", i/3, "@x.vn")
	}
	if i%7 == 3 {
		email = ""
	}
	phone = fmt.Sprint("09", 10000000+i%5000)
	n = i % 40
	if i%50 == 49 {
		n = -1
	}
	return
}

// spillRun loads the test's CSV file into a new lake with the runner's
// uniqueness bound; it returns what a user sees of the run, in lines, and
// the largest number of the run's key files open at once.
func spillRun(t *testing.T, csvPath string, bound int) ([]string, *pipelines.Result, int) {
	f := newFixture(t)
	ds, err := schemas.Parse("spill_people.yaml", []byte(spillSchema))
	require.NoError(t, err)
	f.runner.Schemas.Add(ds)
	f.runner.KeyBound = bound
	open := 0
	f.runner.Hooks.Progress = func(string, int64) { open = max(open, keyFiles(t)) }
	l := pipelines.Loader{Registry: connectors.Default, BaseDir: f.dir}
	p, err := l.Parse("spill_people.yaml", []byte(fmt.Sprintf(`name: spill_people
source: {type: csv, path: %s}
target: {dataset: labour.spill_people, mode: overwrite}
on_error: quarantine
`, csvPath)))
	require.NoError(t, err)
	require.NoError(t, pipelines.Validate(p, f.runner.Schemas, []*pipelines.Pipeline{p}))
	res := f.run(p, runOpt())
	out := []string{fmt.Sprintf("read %d written %d quarantined %d", res.Read, res.Written, res.Quarantined),
		fmt.Sprint("failed ", res.Quality.FailedRule), fmt.Sprint("checked ", res.Quality.Checked),
		fmt.Sprint("warned ", res.Quality.Warned)}
	for k, v := range f.rows("labour.spill_people", "person_id", "email", "phone", "n") {
		out = append(out, "row "+k+"="+strings.Join(v, ","))
	}
	q, err := quality.ReadQuarantine(t.Context(), f.lake, "labour.spill_people", "")
	require.NoError(t, err)
	for _, b := range q {
		out = append(out, fmt.Sprintf("bad %s:%d key=%q column=%s rule=%s raw=%q vi=%q en=%q record=%v",
			filepath.Base(b.SourceFile), b.SourceRow, b.RecordKey, b.Column, b.Rule, b.RawValue, b.ReasonVI, b.ReasonEN, recordText(b.Record)))
	}
	assert.Equal(t, 0, keyFiles(t), "the key files are closed after the run")
	return sortStrings(out), res, open
}

func recordText(r map[string]*string) string {
	var parts []string
	for k, v := range r {
		if v == nil {
			parts = append(parts, k+"=null")
		} else {
			parts = append(parts, k+"="+*v)
		}
	}
	return strings.Join(sortStrings(parts), ";")
}

// keyFiles counts the uniqueness sets' files this process has open (they
// are removed from their folder as soon as made, so /proc is where they
// show).
func keyFiles(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	n := 0
	for _, e := range ents {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name())); err == nil && strings.Contains(target, "kho-keys-") {
			n++
		}
	}
	return n
}

// TestUniquenessSpill: a run whose uniqueness sets spill to disk (a bound
// of 7 values) gives exactly what the in-memory sets give on the same file:
// the same table rows, the same quarantine (rows, rules, raw values,
// reasons, records) and the same counts, with duplicates of the key and of
// a unique column spread over many run files and source batches; and the
// rows it quarantines as duplicates are those a plain reading of the rules
// says (the first occurrence among the rows that pass every other rule is
// kept).
func TestUniquenessSpill(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the test sees the key files through /proc/self/fd, which only Linux has")
	}
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "people.csv")
	var b strings.Builder
	b.WriteString("person_id,email,phone,n\n")
	for i := 0; i < spillRows; i++ {
		id, email, phone, n := spillRow(i)
		fmt.Fprintf(&b, "%s,%s,%s,%d\n", id, email, phone, n)
	}
	require.NoError(t, os.WriteFile(csvPath, []byte(b.String()), 0o644))

	mem, memRes, memFiles := spillRun(t, csvPath, 0)
	disk, diskRes, diskFiles := spillRun(t, csvPath, 7)
	assert.Zero(t, memFiles, "the default bound keeps a small run in memory")
	assert.Positive(t, diskFiles, "a bound of 7 spills the sets to disk during the run")
	require.Equal(t, mem, disk, "the same outcome in memory and spilled")

	// The rules read plainly, on the same rows.
	seenKey, seenEmail := map[string]bool{}, map[string]bool{}
	var good, dupKey, dupEmail int64
	for i := 0; i < spillRows; i++ {
		id, email, _, n := spillRow(i)
		switch {
		case id == "" || n < 0:
		case seenKey[id]:
			dupKey++
		case email != "" && seenEmail[email]:
			dupEmail++
		default:
			good++
			seenKey[id] = true
			if email != "" {
				seenEmail[email] = true
			}
		}
	}
	require.Positive(t, dupKey)
	require.Positive(t, dupEmail)
	for _, res := range []*pipelines.Result{memRes, diskRes} {
		assert.EqualValues(t, spillRows, res.Read)
		assert.Equal(t, good, res.Written)
		assert.Equal(t, dupKey, res.Quality.FailedRule["person_id:unique"])
		assert.Equal(t, dupEmail, res.Quality.FailedRule["email:unique"])
		assert.Positive(t, res.Quality.Warned["phone:unique"])
	}
}
