package lake

import (
	"fmt"
	"hash/fnv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/iceberg-go/table"

	"github.com/sonla-data/kho/internal/bloom"
)

// SumFingerprint is the snapshot-summary key of the fingerprint of the
// table's rows, written by an overwrite of the whole table (see
// Spool.Fingerprint): a later overwrite with the same fingerprint would
// commit the same content.
const SumFingerprint = "kho.fingerprint"

// SumInputFingerprint is the snapshot-summary key of the fingerprint of what
// an overwrite read and everything else that decided its conformed rows
// (written by the pipelines' runner): a later run with the same input
// fingerprint would write the same rows, and reads its source without
// conforming it.
const SumInputFingerprint = "kho.input_fingerprint"

// fingerprint digests a multiset of row hashes: the count and two sums of
// mixed hashes, so that the order of the rows does not matter and the same
// rows always give the same digest.
type fingerprint struct {
	n      int64
	s1, s2 uint64
}

func (f *fingerprint) add(h []uint64) {
	f.n += int64(len(h))
	for _, x := range h {
		f.s1 += bloom.Mix(x)
		f.s2 += bloom.Mix(x ^ 0x9e3779b97f4a7c15)
	}
}

// String is the digest with the columns (names and types) the rows have.
func (f fingerprint) String(sc *arrow.Schema) string {
	h := fnv.New64a()
	for _, fl := range sc.Fields() {
		fmt.Fprintf(h, "%s %s;", fl.Name, fl.Type)
	}
	return fmt.Sprintf("v1:%d:%016x:%016x:%016x", f.n, f.s1, f.s2, h.Sum64())
}

// CurrentFingerprint is the fingerprint of the table's current content: the
// one its newest snapshot carries, looking through compactions (they keep
// the rows). "" when unknown.
func CurrentFingerprint(t *table.Table) string {
	meta := t.Metadata()
	for s := t.CurrentSnapshot(); s != nil; {
		if s.Summary == nil {
			return ""
		}
		p := s.Summary.Properties
		if p[SumPipeline] != MaintenancePipeline || p[SumOperation] != "compact" {
			return p[SumFingerprint]
		}
		if s.ParentSnapshotID == nil {
			return ""
		}
		s = meta.SnapshotByID(*s.ParentSnapshotID)
	}
	return ""
}
