package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/sonla-data/kho/pipelines"
)

// plantedValue is a malformed value of a PII tag, and the part of it that no
// answer to a token without the PII grant may hold.
func plantedValue(tag string, i int) (value, needle string) {
	switch tag {
	case "cccd":
		v := fmt.Sprintf("98765%d4X3210", i) // a CCCD with a stray letter
		return v, v[:7]
	case "phone":
		v := fmt.Sprintf("09X8%d765432", i)
		return v, v[:6]
	case "email":
		v := fmt.Sprintf("zqplant%d@@mail", i)
		return v, fmt.Sprintf("zqplant%d", i)
	case "birth_date":
		return fmt.Sprintf("19q%d", i), fmt.Sprintf("19q%d", i)
	case "health":
		v := fmt.Sprintf("ZQ%d.PLANT", i)
		return v, v
	default: // name and the rest
		v := fmt.Sprintf("Zqplant%d Văn Tên", i)
		return v, fmt.Sprintf("Zqplant%d", i)
	}
}

// TestNoRawPIIForNonPIITokens (issue 12, "Done when"): malformed values are
// planted in every PII-tagged column of the sample sources that the shipped
// pipelines load (SQLite tables, CSV and Excel drops, dossier JSON); the
// pipelines run; then every answer a token without the PII grant can get is
// searched for them: kho run's output and logs, SQL over HTTP and pgwire on
// every table the token may read (quarantines included), the API's downloads,
// the dashboard, the portal and its downloads, the CKAN API, the audit log and
// the run history. None may hold a planted value.
func TestNoRawPIIForNonPIITokens(t *testing.T) {
	if testing.Short() {
		t.Skip("writes the sample province and runs its PII pipelines (about 15 s); skipped with -short")
	}
	dir, config := workspace(t)
	sample := filepath.Join(dir, "kho-data", "sample")
	kho(t, "sample-data", "--out", sample, "--scale", "1", "--seed", "11")
	cfg, err := loadConfig(config)
	require.NoError(t, err)
	a, err := openApp(t.Context(), cfg, false)
	require.NoError(t, err)

	// Plant a value in every PII column of every pipeline's target.
	var needles []string
	var names []string
	i := 0
	for _, p := range a.pipelines {
		ds, ok := a.schemas.Get(p.Target.Dataset)
		if !ok {
			continue
		}
		src := map[string]string{} // dataset column -> source column
		for s, d := range p.Mapping {
			src[d] = s
		}
		planted := map[string]string{} // source column -> value
		for _, c := range ds.Columns {
			if c.PII == "" {
				continue
			}
			s, ok := src[c.Name]
			if !ok {
				s = c.Name
			}
			v, n := plantedValue(c.PII, i)
			i++
			planted[s] = v
			needles = append(needles, n)
		}
		if len(planted) == 0 {
			continue
		}
		plant(t, p, sample, planted)
		names = append(names, p.Name)
	}
	a.close()
	sort.Strings(names)
	require.Equal(t, []string{"admin_procedures_dossiers", "construction_housing", "health_pharmacies", "health_visits",
		"labour_job_seekers", "transport_vehicles"}, names, "the pipelines of every dataset with personal data")

	var seen bytes.Buffer // every answer, each after a header naming it
	answer := func(what, text string) { fmt.Fprintf(&seen, "\n=== %s\n%s", what, text) }

	// kho run, with the log (written to stderr) captured.
	logFile, err := os.Create(filepath.Join(dir, "stderr.log"))
	require.NoError(t, err)
	stderr := os.Stderr
	os.Stderr = logFile
	out := kho(t, append([]string{"--config", config, "run"}, names...)...)
	os.Stderr = stderr
	logFile.Close()
	answer("kho run", out)
	b, err := os.ReadFile(logFile.Name())
	require.NoError(t, err)
	answer("kho run log", string(b))
	for _, n := range names {
		answer("kho runs "+n, kho(t, "--config", config, "runs", n))
	}
	answer("kho status", kho(t, "--config", config, "status"))

	// A token without the PII grant that reads every table of the domains
	// with personal data (quarantines included), and anonymous callers.
	admin := secretOf(t, kho(t, "token", "create", "--config", config, "--role", "engineer", "--name", "kỹ sư không PII",
		"--grant", "admin_procedures.*,construction.*,health.*,labour.*,transport.*"))
	withPII := secretOf(t, kho(t, "token", "create", "--config", config, "--role", "engineer", "--name", "kỹ sư có PII", "--pii",
		"--grant", "admin_procedures.*,construction.*,health.*,labour.*,transport.*"))
	httpPort, pgPort := freePort(t), freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	stop := serveInProcess(t, base, "--config", config, "--schedule=false", "--addr", fmt.Sprintf("127.0.0.1:%d", httpPort), "--pg-addr", fmt.Sprintf("127.0.0.1:%d", pgPort))
	get := func(method, path, token, body string) string {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, base+path, strings.NewReader(body))
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		r, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer r.Body.Close()
		b, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		answer(fmt.Sprintf("%s %s (%d)", method, path, r.StatusCode), string(b))
		return string(b)
	}

	var list struct {
		Datasets []struct {
			Name string `json:"name"`
		} `json:"datasets"`
	}
	body := get("GET", "/api/datasets", admin, "")
	require.NoError(t, json.Unmarshal([]byte(body), &list), body)
	var tables []string
	for _, o := range list.Datasets {
		tables = append(tables, o.Name)
	}
	for _, want := range []string{"health.visits", "health.visits__quarantine", "labour.job_seekers__quarantine", "admin_procedures.dossiers"} {
		require.Contains(t, tables, want, body)
	}
	// The token with the PII grant sees every planted value (in the tables
	// or their quarantines): the search below is not vacuous.
	var withPIIText strings.Builder
	for _, name := range tables {
		ns, tbl, _ := strings.Cut(name, ".")
		req, err := http.NewRequestWithContext(t.Context(), "POST", base+"/api/query?format=csv", strings.NewReader(fmt.Sprintf(`SELECT * FROM "%s"."%s"`, ns, tbl)))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+withPII)
		r, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		require.NoError(t, err)
		withPIIText.Write(b)
	}
	for _, n := range needles {
		assert.Contains(t, withPIIText.String(), n, "the PII grant reads the planted value")
	}
	pg, err := pgx.Connect(t.Context(), fmt.Sprintf("postgres://x:%s@127.0.0.1:%d/kho?sslmode=disable", admin, pgPort))
	require.NoError(t, err)
	defer pg.Close(context.Background())
	for _, name := range tables {
		ns, tbl, _ := strings.Cut(name, ".")
		q := fmt.Sprintf(`SELECT * FROM "%s"."%s"`, ns, tbl)
		get("POST", "/api/query?format=csv", admin, q)
		get("GET", "/api/datasets/"+name, admin, "")
		get("GET", "/api/datasets/"+name+"/download?format=csv", admin, "")
		rows, err := pg.Query(t.Context(), q)
		require.NoError(t, err, name)
		var text strings.Builder
		for rows.Next() {
			vals, err := rows.Values()
			require.NoError(t, err)
			fmt.Fprintln(&text, vals...)
		}
		require.NoError(t, rows.Err(), name)
		answer("pgwire "+q, text.String())
	}
	// Statements that fail on a value: the error must not quote it either.
	get("POST", "/api/query", admin, "SELECT CAST(citizen_id AS INTEGER) FROM health.visits")
	get("POST", "/api/query", admin, "SELECT CAST(raw_value AS DATE) FROM health.visits__quarantine")

	// The pages, the portal with its downloads, the CKAN API and its links.
	for _, path := range []string{"/", "/marts/", "/open", "/api/3/action/package_list", "/api/3/action/package_search?rows=1000"} {
		get("GET", path, "", "")
		get("GET", path, admin, "")
	}
	var search struct {
		Result struct {
			Results []struct {
				Name      string `json:"name"`
				Resources []struct {
					ID  string `json:"id"`
					URL string `json:"url"`
				} `json:"resources"`
			} `json:"results"`
		} `json:"result"`
	}
	require.NoError(t, json.Unmarshal([]byte(get("GET", "/api/3/action/package_search?rows=1000", "", "")), &search))
	// No dataset with personal data is open: the portal lists none of them
	// (only the PII pipelines ran), and what it lists is searched all the same.
	for _, p := range search.Result.Results {
		get("GET", "/open/datasets/"+url.PathEscape(p.Name), "", "")
		get("GET", "/api/3/action/package_show?id="+url.QueryEscape(p.Name), "", "")
		for _, r := range p.Resources {
			if u, err := url.Parse(r.URL); err == nil && u.Path != "" {
				get("GET", u.RequestURI(), "", "")
			}
			get("GET", "/api/3/action/datastore_search?limit=32000&resource_id="+url.QueryEscape(r.ID), "", "")
		}
	}
	require.NoError(t, stop())

	// The audit log and the run history.
	answer("kho audit", kho(t, "audit", "--config", config, "--since", "1h", "--format", "json"))
	h, err := pipelines.OpenHistory(t.Context(), filepath.Join(cfg.DataDir, "runs.db"))
	require.NoError(t, err)
	runs, err := h.Runs(t.Context(), "", 1000)
	require.NoError(t, err)
	h.Close()
	b, err = json.Marshal(runs)
	require.NoError(t, err)
	answer("run history", string(b))

	// The planted values reached the quarantines (through their raw_value, masked).
	text := seen.String()
	assert.Contains(t, text, "health.visits__quarantine")
	found := 0
	for _, n := range needles {
		if idx := strings.Index(text, n); idx >= 0 {
			found++
			start := strings.LastIndex(text[:idx], "\n=== ")
			end := strings.Index(text[start+5:], "\n")
			lo, hi := max(0, idx-120), min(len(text), idx+120)
			t.Errorf("planted value %q found in %s: …%s…", n, text[start+5:start+5+end], text[lo:hi])
		}
	}
	assert.Zero(t, found, "planted values found in answers to a token without the PII grant (%d needles, %d bytes of answers)", len(needles), len(text))
	t.Logf("%d planted values searched in %d bytes of answers", len(needles), len(text))
}

// plant writes planted (source column -> value) into the first rows of
// pipeline p's source under sample.
func plant(t *testing.T, p *pipelines.Pipeline, sample string, planted map[string]string) {
	t.Helper()
	var src struct {
		Type  string `yaml:"type"`
		Path  string `yaml:"path"`
		Table string `yaml:"table"`
	}
	require.NoError(t, p.Source.Decode(&src), p.Name)
	path := src.Path // expanded by the loader: the default kho-data/sample
	if rest, ok := strings.CutPrefix(path, "kho-data/sample/"); ok {
		path = filepath.Join(sample, rest)
	}
	files, err := filepath.Glob(path)
	require.NoError(t, err)
	require.NotEmpty(t, files, "%s: %s", p.Name, path)
	sort.Strings(files)
	file := files[0]
	switch src.Type {
	case "sqlite":
		db, err := sql.Open("sqlite", file)
		require.NoError(t, err)
		defer db.Close()
		for col, v := range planted {
			_, err := db.ExecContext(t.Context(), fmt.Sprintf(`UPDATE "%s" SET "%s" = ? WHERE rowid IN (SELECT rowid FROM "%s" ORDER BY rowid LIMIT 2)`, src.Table, col, src.Table), v)
			require.NoError(t, err, "%s.%s", src.Table, col)
		}
	case "csv":
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		bom := bytes.HasPrefix(b, []byte("\uFEFF"))
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF")))).ReadAll()
		require.NoError(t, err, file)
		for col, v := range planted {
			j := indexOf(recs[0], col)
			require.GreaterOrEqual(t, j, 0, "%s: no column %q", file, col)
			recs[1][j], recs[2][j] = v, v
		}
		var out bytes.Buffer
		if bom {
			out.WriteString("\uFEFF")
		}
		w := csv.NewWriter(&out)
		require.NoError(t, w.WriteAll(recs))
		require.NoError(t, os.WriteFile(file, out.Bytes(), 0o644))
	case "excel":
		f, err := excelize.OpenFile(file)
		require.NoError(t, err)
		sheet := f.GetSheetList()[0]
		rows, err := f.GetRows(sheet)
		require.NoError(t, err)
		for col, v := range planted {
			done := false
			for r, row := range rows {
				if j := indexOf(row, col); j >= 0 {
					for k := 1; k <= 2; k++ {
						cell, err := excelize.CoordinatesToCellName(j+1, r+1+k)
						require.NoError(t, err)
						require.NoError(t, f.SetCellStr(sheet, cell, v))
					}
					done = true
					break
				}
			}
			require.True(t, done, "%s: no header %q", file, col)
		}
		require.NoError(t, f.Save())
		require.NoError(t, f.Close())
	case "dvcqg":
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		s := string(b)
		for col, v := range planted {
			re := regexp.MustCompile(`"` + regexp.QuoteMeta(col) + `":"(?:[^"\\]|\\.)*"`)
			n := 0
			s = re.ReplaceAllStringFunc(s, func(m string) string {
				if n++; n > 2 {
					return m
				}
				q, _ := json.Marshal(v)
				return `"` + col + `":` + string(q)
			})
			require.Positive(t, n, "%s: no field %q", file, col)
		}
		require.NoError(t, os.WriteFile(file, []byte(s), 0o644))
	default:
		t.Fatalf("%s: no planting for sources of type %s", p.Name, src.Type)
	}
}

func indexOf(row []string, s string) int {
	for i, c := range row {
		if strings.TrimSpace(c) == s {
			return i
		}
	}
	return -1
}
