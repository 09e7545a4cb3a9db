package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	osexec "os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/sqlsource/sqltest"
	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/warehouse/lake"
)

// TestMain lets the test binary run one pipeline as a child process that a
// crash test kills (KHO_CDC_CHILD=1).
func TestMain(m *testing.M) {
	if os.Getenv("KHO_CDC_CHILD") == "1" {
		if err := cdcChild(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// cdcChild runs the pipeline of KHO_CDC_PIPELINE into the lake at
// KHO_CDC_LAKE, killing itself with SIGKILL when the run reaches the point
// KHO_CDC_KILL_AT.
func cdcChild() error {
	ctx := context.Background()
	set := &schemas.Set{}
	for i, y := range strings.Split(os.Getenv("KHO_CDC_DATASETS"), "\n---\n") {
		ds, err := schemas.Parse(fmt.Sprintf("dataset%d.yaml", i), []byte(y))
		if err != nil {
			return err
		}
		set.Add(ds)
	}
	l, err := lake.Open(ctx, lake.Config{Root: os.Getenv("KHO_CDC_LAKE")})
	if err != nil {
		return err
	}
	defer l.Close()
	p, err := pipelines.Loader{Registry: connectors.Default, BaseDir: os.TempDir()}.Parse("pipeline.yaml", []byte(os.Getenv("KHO_CDC_PIPELINE")))
	if err != nil {
		return err
	}
	killAt := os.Getenv("KHO_CDC_KILL_AT")
	r := &pipelines.Runner{Lake: l, Schemas: set, SpoolDir: os.TempDir(), Hooks: pipelines.Hooks{At: func(_, point string) {
		if point == killAt {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			time.Sleep(time.Minute)
		}
	}}}
	_, err = r.Run(ctx, p, pipelines.RunOptions{})
	return err
}

// cdcDB is testDB whose replication slots are dropped when the test ends
// (a slot left behind keeps the server's write-ahead log).
func cdcDB(t *testing.T) (string, *pgconn.PgConn) {
	dsn, conn := testDB(t)
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	db := strings.TrimPrefix(u.Path, "/")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		pc, err := pgconn.Connect(ctx, sqltest.ServerDSN(t, "KHO_TEST_PG_DSN"))
		if err != nil {
			t.Errorf("dropping the test's replication slots: %v", err)
			return
		}
		defer closeConn(pc)
		res := pc.ExecParams(ctx, `SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = $1 AND active_pid IS NOT NULL`,
			[][]byte{[]byte(db)}, nil, nil, nil).Read()
		require.NoError(t, res.Err)
		err = whileInUse(ctx, func() error {
			return pc.ExecParams(ctx, `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1`,
				[][]byte{[]byte(db)}, nil, nil, nil).Read().Err
		})
		if err != nil {
			t.Errorf("dropping the test's replication slots: %v", err)
		}
	})
	return dsn, conn
}

// TestIntegrationCDCRounds replicates PostgreSQL tables keyed by integer,
// bigint, uuid and (text, date) through change data capture: a snapshot,
// then ten rounds of random inserts, updates, hard and soft deletes and
// undeletes; after each round's run the lake equals the source row by row
// through iceberg-go's scan and the DuckDB view, and an unchanged rerun
// commits nothing. Before every second round a child process runs the
// pipeline and is killed with SIGKILL at a random point (a named point of
// the run — after reading, after the quarantine's commit, after the data's
// commit but before the slot is advanced — or after a random time): the
// next run still makes the lake equal the source.
func TestIntegrationCDCRounds(t *testing.T) {
	dsn, conn := cdcDB(t)
	tag := sqltest.RandomName("cdc")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 13))
	var mu sync.Mutex
	kills := map[string]int{}
	crash := func(t *testing.T, w *sqltest.Warehouse, pipeline string, round int) {
		if round%2 == 0 || os.Getenv("KHO_CDC_NOCRASH") != "" {
			return
		}
		points := []string{"extracted", "quarantine_committed", "committed", "timer"}
		point := points[rng.IntN(len(points))]
		if p := os.Getenv("KHO_CDC_POINT"); p != "" {
			point = p
		}
		cmd := osexec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "KHO_CDC_CHILD=1", "DSN="+dsn, "KHO_CDC_LAKE="+w.Lake.Root(),
			"KHO_CDC_DATASETS="+strings.Join(w.Datasets, "\n---\n"), "KHO_CDC_PIPELINE="+pipeline, "KHO_CDC_KILL_AT="+point)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Start())
		if point == "timer" {
			time.AfterFunc(time.Duration(rng.IntN(600))*time.Millisecond, func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
		}
		err := cmd.Wait()
		killed := false
		if ee, ok := err.(*osexec.ExitError); ok {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
				killed = true
			}
		}
		if point != "timer" {
			require.True(t, killed, "the child reaches %s and is killed (%v): %s", point, err, stderr.String())
		} else if !killed {
			require.NoError(t, err, stderr.String())
		}
		mu.Lock()
		if killed {
			kills[point]++
		} else {
			kills["finished before the timer"]++
		}
		mu.Unlock()
	}
	sqltest.Rounds{
		// The runs of this process spill their merge keys past 3 (every
		// merge runs in passes, a change log's deletes are logged as
		// removals), the killed child's keep them in memory.
		MergeKeyBound: 3,
		Type:          "postgres",
		DSN:           dsn,
		Create: map[string]string{
			"int":       "CREATE TABLE ban (id integer PRIMARY KEY, v text, is_deleted boolean NOT NULL)",
			"bigint":    "CREATE TABLE ban (id bigint PRIMARY KEY, v text, is_deleted boolean NOT NULL)",
			"uuid":      "CREATE TABLE ban (id uuid PRIMARY KEY, v text, is_deleted boolean NOT NULL)",
			"composite": "CREATE TABLE ban (code text, day date, v text, is_deleted boolean NOT NULL, PRIMARY KEY (code, day))",
		},
		Source: func(kind string) string {
			return fmt.Sprintf("  table: ban\n  batch_rows: 7\n  incremental: {mode: cdc, slot: %s_%s, publication: %s_%s}\n", tag, kind, tag, kind)
		},
		Deletes: "{soft: is_deleted}",
		Before:  crash,
		UUID:    func(s string) string { return "'" + s + "'::uuid" },
		True:    "true",
		False:   "false",
		Exec:    func(t *testing.T, sql string) { run(t, conn, sql) },
		Query: func(t *testing.T, sql string) [][]string {
			res := conn.ExecParams(t.Context(), sql, nil, nil, nil, nil).Read()
			require.NoError(t, res.Err)
			var out [][]string
			for _, r := range res.Rows {
				row := make([]string, len(r))
				for i, v := range r {
					row[i] = string(v)
				}
				out = append(out, row)
			}
			return out
		},
	}.Run(t)
	t.Logf("children killed: %v", kills)
}
