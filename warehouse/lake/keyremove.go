package lake

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// Remove takes the keys of a batch's rows out of the index: a change log's
// run whose last change of a key deleted it writes none of the key's rows
// it spooled before (a merge writes only rows whose key is indexed).
func (k *KeyIndex) Remove(b arrow.RecordBatch) error {
	cols, err := k.keyColumns(b)
	if err != nil {
		return err
	}
	for i := 0; i < int(b.NumRows()); i++ {
		if k.spill != nil {
			if err := k.spill.log(spillRemove, k.key(cols, i), 0); err != nil {
				return fmt.Errorf("spilling the merge's keys: %w", err)
			}
			continue
		}
		delete(k.m, string(k.key(cols, i)))
	}
	return nil
}
