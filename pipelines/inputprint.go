package pipelines

import (
	"bufio"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go/catalog"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/warehouse/lake"
)

// The input fingerprint of an overwrite (issue 13): a digest of everything
// that decides the conformed output, taken before the conform step, so that
// an unchanged rerun reads its source and conforms nothing.
//
// It has two parts. The context digest covers what the conform step depends
// on besides the source's rows: the pipeline as resolved (defaults filled,
// the source's own settings aside: they act only through the rows), the
// dataset as written (columns, rules, checks), the source's columns and,
// with schema_drift: discard_row, those of the last load (the columns added
// since make rows bad), the table's schema and
// partitioning, the admin-units reference, today's date when the dataset
// has an admin_unit column (a row without a date is matched to the unit
// valid today),
// the snapshots of the tables that references rules read, and the build of
// Kho itself (the conform code: the executable's Go build id). The data
// digest is a SHA-256 of the source's batches exactly as the connector
// delivered them, in order, encoded as an Arrow IPC stream (schema, values,
// validity, provenance columns): equal digests mean equal batches.
//
// A run whose context digest equals the one stored with the pipeline's last
// load may be unchanged: it spools the source's batches to a temporary file
// while it hashes them, and conforms from that file only when the data
// digest differs, so the database is read once. When the pipeline's last
// run found its input unchanged too, it bets on the same: it only hashes the
// source, and reads it again to conform it if the digest differs after all.
// Any other run conforms the batches as they come and hashes them on the
// way.

// inputPrintVersion changes when what the fingerprint covers changes.
const inputPrintVersion = "i1"

// inputPrint is a stored or computed input fingerprint.
type inputPrint struct {
	context, data string
	rows          int64
}

func (p inputPrint) String() string {
	return fmt.Sprintf("%s:%s:%s:%d", inputPrintVersion, p.context, p.data, p.rows)
}

func parseInputPrint(s string) (inputPrint, bool) {
	parts := strings.Split(s, ":")
	if len(parts) != 4 || parts[0] != inputPrintVersion {
		return inputPrint{}, false
	}
	n, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil {
		return inputPrint{}, false
	}
	return inputPrint{context: parts[1], data: parts[2], rows: n}, true
}

// conformContext is the context digest of a run (see above). ds is the
// dataset as written, last the pipeline's last load's summary.
func (r *Runner) conformContext(ctx context.Context, p *Pipeline, ds *schemas.Dataset, ex *extraction, last map[string]string) (string, error) {
	build, err := khoBuild()
	if err != nil {
		return "", fmt.Errorf("identifying Kho's build: %w", err)
	}
	units, err := r.unitsDigest()
	if err != nil {
		return "", err
	}
	doc := map[string]any{"build": build, "pipeline": p, "dataset": ds, "units": units, "source_columns": ex.sourceShape}
	if p.SchemaDrift == DriftDiscardRow {
		// the columns added since the last load make rows bad
		doc["last_source_columns"] = last[sumSourceSchema]
	}
	meta := ex.tbl.Metadata()
	doc["table"] = fmt.Sprintf("schema %d spec %d", meta.CurrentSchema().ID, meta.DefaultPartitionSpec())
	refs := map[string]string{}
	for i := range ds.Columns {
		c := &ds.Columns[i]
		if c.Kind() == schemas.KindAdminUnit {
			// the unit valid today is matched when the row has no date
			// (no date column, or no value in it); the conform step's day
			// is Vietnam's, both calendars are covered
			now := r.now()
			doc["today"] = now.UTC().Format("2006-01-02") + " " + now.In(vietnam).Format("2006-01-02")
		}
		if dsName, _, ok := c.RefersTo(); ok {
			t, err := r.Lake.Load(ctx, dsName)
			switch {
			case errors.Is(err, catalog.ErrNoSuchTable):
				refs[dsName] = "none"
			case err != nil:
				return "", fmt.Errorf("reading %s for the references of %s: %w", dsName, c.Name, err)
			default:
				refs[dsName] = strconv.FormatInt(snapshotID(t), 10)
			}
		}
	}
	doc["references"] = refs
	b, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("digesting the pipeline: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16]), nil
}

// vietnam is UTC+7 all year (no daylight saving).
var vietnam = time.FixedZone("ICT", 7*3600)

var unitsDigests sync.Map // *units.Set -> string

func (r *Runner) unitsDigest() (string, error) {
	if r.Units == nil {
		return "none", nil
	}
	if d, ok := unitsDigests.Load(r.Units); ok {
		return d.(string), nil
	}
	b, err := json.Marshal(r.Units)
	if err != nil {
		return "", fmt.Errorf("digesting the admin-units reference: %w", err)
	}
	sum := sha256.Sum256(b)
	d := hex.EncodeToString(sum[:16])
	unitsDigests.Store(r.Units, d)
	return d, nil
}

var (
	buildOnce sync.Once
	buildID   string
	buildErr  error
)

// khoBuild identifies the running executable: its Go build id (a hash of
// the linked program, read from the ELF note), else a SHA-256 of the whole
// file.
func khoBuild() (string, error) {
	buildOnce.Do(func() {
		exe, err := os.Executable()
		if err != nil {
			buildErr = err
			return
		}
		if f, err := elf.Open(exe); err == nil {
			if s := f.Section(".note.go.buildid"); s != nil {
				if data, err := s.Data(); err == nil && len(data) > 32 {
					sum := sha256.Sum256(data)
					buildID = "go:" + hex.EncodeToString(sum[:16])
				}
			}
			f.Close()
			if buildID != "" {
				return
			}
		}
		f, err := os.Open(exe)
		if err != nil {
			buildErr = err
			return
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			buildErr = err
			return
		}
		buildID = "file:" + hex.EncodeToString(h.Sum(nil)[:16])
	})
	return buildID, buildErr
}

// rawTee hashes a source's batches (Arrow IPC stream into SHA-256) as they
// are read and, when spooling, writes the same stream to a temporary file
// to conform from later. A source that digests its own bytes
// (connectors.RawDigester: PostgreSQL's binary COPY, CSV files) feeds the hash
// instead of its batches, and a hash-only drain does not decode its rows.
type rawTee struct {
	src   connectors.Source
	alloc memory.Allocator
	h     hash.Hash
	raw   connectors.RawDigester // the source digests itself; nil: the batches are hashed
	w     *ipc.Writer            // the IPC stream (nil when raw and not spooling)
	file  *os.File
	buf   *bufio.Writer
	rows  int64
	done  bool
}

func newRawTee(src connectors.Source, alloc memory.Allocator) *rawTee {
	return &rawTee{src: src, alloc: alloc, h: sha256.New()}
}

// start opens the IPC stream, into the hash unless the source digests
// itself and into a spool file in dir when spool.
func (t *rawTee) start(dir string, spool bool) error {
	if rd, ok := t.src.(connectors.RawDigester); ok && rd.DigestRaw(t.h) {
		t.raw = rd
	}
	var outs []io.Writer
	if t.raw == nil {
		outs = append(outs, t.h)
	}
	if spool {
		f, err := os.CreateTemp(dir, "kho-raw-*.arrows")
		if err != nil {
			return fmt.Errorf("creating the raw spool: %w", err)
		}
		t.file, t.buf = f, bufio.NewWriterSize(f, 1<<20)
		outs = append(outs, t.buf)
	}
	if len(outs) > 0 {
		t.w = ipc.NewWriter(io.MultiWriter(outs...), ipc.WithSchema(t.src.Schema()), ipc.WithAllocator(t.alloc))
	}
	return nil
}

// Schema implements connectors.Source.
func (t *rawTee) Schema() *arrow.Schema { return t.src.Schema() }

// Next implements connectors.Source: the source's next batch, hashed (and
// spooled).
func (t *rawTee) Next(ctx context.Context) (arrow.RecordBatch, error) {
	b, err := t.src.Next(ctx)
	if errors.Is(err, io.EOF) {
		if !t.done {
			t.done = true
			if cerr := t.closeStream(); cerr != nil {
				return nil, fmt.Errorf("hashing the source: %w", cerr)
			}
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	if t.w == nil {
		t.rows += b.NumRows()
		return b, nil
	}
	if werr := t.w.Write(b); werr != nil {
		b.Release()
		return nil, fmt.Errorf("hashing the source: %w", werr)
	}
	t.rows += b.NumRows()
	return b, nil
}

// Close implements connectors.Source; the source itself is closed by its
// opener.
func (t *rawTee) Close() error { return nil }

// closeStream ends the IPC stream, if any.
func (t *rawTee) closeStream() error {
	if t.w == nil {
		return nil
	}
	return t.w.Close()
}

// drain reads the source to its end, hashing and spooling every batch: the
// source is read on a goroutine of its own, so that decoding its rows and
// hashing and spooling them overlap. A source that digests itself and is
// not spooled is drained without decoding its rows.
func (t *rawTee) drain(ctx context.Context, progress func(int64)) error {
	if t.raw != nil && t.w == nil {
		rows, err := t.raw.DrainRaw(ctx, progress)
		t.rows, t.done = rows, err == nil
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type item struct {
		b   arrow.RecordBatch
		err error
	}
	batches := make(chan item, 4)
	go func() {
		defer close(batches)
		for {
			b, err := t.src.Next(ctx)
			select {
			case batches <- item{b, err}:
			case <-ctx.Done():
				if b != nil {
					b.Release()
				}
				return
			}
			if err != nil {
				return
			}
		}
	}()
	var err error
	for it := range batches {
		switch {
		case err != nil:
			if it.b != nil {
				it.b.Release()
			}
		case errors.Is(it.err, io.EOF):
			if cerr := t.closeStream(); cerr != nil {
				err = fmt.Errorf("hashing the source: %w", cerr)
			}
			t.done = true
		case it.err != nil:
			err = it.err
			cancel()
		default:
			werr := t.w.Write(it.b)
			t.rows += it.b.NumRows()
			it.b.Release()
			if werr != nil {
				err = fmt.Errorf("hashing the source: %w", werr)
				cancel()
			} else if progress != nil {
				progress(t.rows)
			}
		}
	}
	if err == nil && !t.done {
		err = ctx.Err()
	}
	return err
}

// print is the fingerprint once the source was read to its end. A source
// that digests itself covers its rows in its digest, and may not count them
// when it only hashes them (a CSV file is not parsed): its rows are -1.
func (t *rawTee) print(context string) inputPrint {
	rows := t.rows
	if t.raw != nil {
		rows = -1
	}
	return inputPrint{context: context, data: hex.EncodeToString(t.h.Sum(nil)), rows: rows}
}

// replay is a source over the spooled batches (after drain).
func (t *rawTee) replay() (connectors.Source, error) {
	if err := t.buf.Flush(); err != nil {
		return nil, fmt.Errorf("writing the raw spool: %w", err)
	}
	if _, err := t.file.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("reading the raw spool: %w", err)
	}
	rd, err := ipc.NewReader(bufio.NewReaderSize(t.file, 1<<20), ipc.WithAllocator(t.alloc))
	if err != nil {
		return nil, fmt.Errorf("reading the raw spool: %w", err)
	}
	return &spoolSource{schema: t.src.Schema(), rd: rd}, nil
}

// release removes the spool file.
func (t *rawTee) release() {
	if t.file != nil {
		t.file.Close()
		os.Remove(t.file.Name())
		t.file = nil
	}
}

// spoolSource reads the batches of a raw spool back.
type spoolSource struct {
	schema *arrow.Schema
	rd     *ipc.Reader
}

func (s *spoolSource) Schema() *arrow.Schema { return s.schema }

func (s *spoolSource) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !s.rd.Next() {
		if err := s.rd.Err(); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("reading the raw spool: %w", err)
		}
		return nil, io.EOF
	}
	b := s.rd.RecordBatch()
	b.Retain()
	return b, nil
}

func (s *spoolSource) Close() error {
	s.rd.Release()
	return nil
}

// inputRecord is what a load (or a run that found its rows unchanged) read
// and left: its input fingerprint, the content fingerprint of the table it
// left, the fingerprint of its quarantined rows, and its counts.
type inputRecord struct {
	Input       string `json:"input"`
	Content     string `json:"content"`
	Quarantine  string `json:"quarantine"`
	Read        int64  `json:"read"`
	Written     int64  `json:"written"`
	Quarantined int64  `json:"quarantined"`
}

// recordOfSummary is the input record of a load's snapshot summary.
func recordOfSummary(sum map[string]string) (inputRecord, bool) {
	rec := inputRecord{Input: sum[lake.SumInputFingerprint], Content: sum[lake.SumFingerprint], Quarantine: sum[sumQuarantinePrint]}
	for k, v := range map[string]*int64{lake.SumRead: &rec.Read, lake.SumWritten: &rec.Written, lake.SumQuarantined: &rec.Quarantined} {
		n, err := strconv.ParseInt(sum[k], 10, 64)
		if err != nil {
			return rec, false
		}
		*v = n
	}
	return rec, rec.Input != ""
}

// propInputPrint is the table property that keeps, per pipeline, the input
// record of the last run that conformed a changed input into the rows the
// table already held: it commits no snapshot, so the summary cannot say it,
// and without it every later run would conform again.
const propInputPrint = "kho.input_fingerprint."

// inputCandidates are the input records that may hold this run's input:
// their fingerprint has this run's context, the table still holds the
// content they left, and the quarantine still holds the rows they
// quarantined (no crashed run's rows, no replay since). Only when there is
// one is the source spooled to be compared before it is conformed.
func (r *Runner) inputCandidates(ctx context.Context, p *Pipeline, ex *extraction, last map[string]string, context string) ([]inputRecord, error) {
	if last == nil || last[sumSourceSchema] != ex.sourceShape {
		return nil, nil
	}
	current := lake.CurrentFingerprint(ex.tbl)
	if current == "" {
		return nil, nil
	}
	var recs []inputRecord
	if rec, ok := recordOfSummary(last); ok {
		recs = append(recs, rec)
	}
	if v := ex.tbl.Properties()[propInputPrint+p.Name]; v != "" {
		var rec inputRecord
		if json.Unmarshal([]byte(v), &rec) == nil {
			recs = append(recs, rec)
		}
	}
	var out []inputRecord
	for _, rec := range recs {
		stored, ok := parseInputPrint(rec.Input)
		if ok && stored.context == context && rec.Content == current && rec.Read == rec.Written+rec.Quarantined {
			out = append(out, rec)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	qname := ex.ds.Name + QuarantineSuffix
	exists, err := r.Lake.Exists(ctx, qname)
	if err != nil {
		return nil, err
	}
	var qfp string
	if exists {
		q, err := r.Lake.Load(ctx, qname)
		if err != nil {
			return nil, err
		}
		if len(orphanRuns(q, ex.tbl, p.Name)) > 0 {
			return nil, nil
		}
		qfp = quarantineFingerprint(q, p.Name)
	}
	valid := out[:0]
	for _, rec := range out {
		if exists && rec.Quarantine != "" && rec.Quarantine == qfp || !exists && rec.Quarantined == 0 {
			valid = append(valid, rec)
		}
	}
	return valid, nil
}

// rememberInput keeps the input record of a run that conformed a changed
// input into the rows the table held (nothing committed) in a table
// property: a metadata update, no snapshot.
func (r *Runner) rememberInput(ctx context.Context, p *Pipeline, ex *extraction, res *Result) {
	rec := inputRecord{Input: ex.inputPrint, Content: lake.CurrentFingerprint(ex.tbl), Quarantine: ex.bad.Fingerprint(),
		Read: res.Read, Written: res.Written, Quarantined: res.Quarantined}
	b, _ := json.Marshal(rec)
	key := propInputPrint + p.Name
	if rec.Content == "" || ex.tbl.Properties()[key] == string(b) {
		return
	}
	tx := ex.tbl.NewTransaction()
	err := tx.SetProperties(map[string]string{key: string(b)})
	if err == nil {
		_, err = tx.Commit(ctx)
	}
	if err != nil {
		// only the next unchanged run's speed depends on it
		r.log().Warn("could not keep the input fingerprint; the next run conforms again", "pipeline", p.Name, "error", err.Error())
	}
}

// sumQuarantinePrint is, on a load's snapshot, the fingerprint of the rows
// that load quarantined.
const sumQuarantinePrint = "kho.quarantine_fingerprint"

// readInput starts the input fingerprint of an overwrite. When the last
// load may have read the same input, it reads the whole source into a raw
// spool while hashing it: an equal fingerprint ends the extraction (skip:
// the run reports the last load's counts and commits nothing), else replay
// is the spool to conform from. Otherwise ex.tee hashes the batches as the
// conform step reads them.
//
// When the pipeline's last run found its input unchanged too, the source is
// only hashed, not spooled (the spool's write was most of what an unchanged
// rerun cost beside reading the source); if it differs after all, reread
// says to open the source again and conform that reading.
func (r *Runner) readInput(ctx context.Context, p *Pipeline, src connectors.Source, ex *extraction, last map[string]string,
	opt RunOptions, res *Result) (skip bool, replay connectors.Source, reread bool, err error) {
	fail := func(step string, err error) (bool, connectors.Source, bool, error) {
		return false, nil, false, &RunError{Pipeline: p.Name, Step: step, Err: err}
	}
	c, err := r.conformContext(ctx, p, ex.ds, ex, last)
	if err != nil {
		// without a fingerprint the run conforms, as it always may
		r.log().Warn("no input fingerprint: the source is conformed whatever it holds", "pipeline", p.Name, "error", err.Error())
		return false, nil, false, nil
	}
	ex.inputContext = c
	ex.tee = newRawTee(src, r.alloc())
	var cands []inputRecord
	if !opt.FullRefresh && !opt.DryRun {
		if cands, err = r.inputCandidates(ctx, p, ex, last, c); err != nil {
			return fail("fingerprinting the input", err)
		}
	}
	may := len(cands) > 0
	spool := may && !r.lastRunUnchanged(ctx, p)
	if err := ex.tee.start(r.SpoolDir, spool); err != nil {
		return fail("spooling", err)
	}
	if !may {
		return false, nil, false, nil
	}
	progress := func(n int64) {
		if r.Hooks.Progress != nil {
			r.Hooks.Progress(p.Name, n)
		}
	}
	if err := ex.tee.drain(ctx, progress); err != nil {
		return fail("reading the source", err)
	}
	fp := ex.tee.print(c).String()
	var same *inputRecord
	for i := range cands {
		if cands[i].Input == fp {
			same = &cands[i]
		}
	}
	if same == nil {
		if !spool {
			r.log().Info("the source changed since the last load: reading it again to conform it", "pipeline", p.Name)
			return false, nil, true, nil
		}
		r.log().Info("the source changed since the last load: conforming it", "pipeline", p.Name, "rows", ex.tee.rows)
		replay, err := ex.tee.replay()
		if err != nil {
			return fail("spooling", err)
		}
		return false, replay, false, nil
	}
	// The same input gives the same output: the rows, counts and
	// quarantine of the run that read it stand.
	ex.unchanged, ex.inputPrint, res.InputUnchanged = true, fp, true
	res.Read, res.Written, res.Quarantined = same.Read, same.Written, same.Quarantined
	ex.state = sourceState(src, ex.prevState)
	if err := ex.good.Finish(); err != nil {
		return fail("spooling", err)
	}
	if err := ex.bad.Finish(); err != nil {
		return fail("spooling", err)
	}
	return true, nil, false, nil
}

// lastRunUnchanged reports whether the pipeline's last successful run found
// its input unchanged (it committed nothing and read rows): then this run
// bets on the same and hashes its source without spooling it. Without a run
// history it is false.
func (r *Runner) lastRunUnchanged(ctx context.Context, p *Pipeline) bool {
	if r.History == nil {
		return false
	}
	runs, err := r.History.Runs(ctx, p.Name, 10)
	if err != nil {
		return false
	}
	for _, run := range runs {
		if run.Status == StatusOK {
			return run.NothingCommitted && run.Read > 0
		}
	}
	return false
}
