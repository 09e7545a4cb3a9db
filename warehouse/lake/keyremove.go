package lake

import "github.com/apache/arrow-go/v18/arrow"

// Remove takes the keys of a batch's rows out of the index: a change log's
// run whose last change of a key deleted it writes none of the key's rows
// it spooled before (a merge writes only rows whose key is indexed).
func (k *KeyIndex) Remove(b arrow.RecordBatch) error {
	cols, err := k.keyColumns(b)
	if err != nil {
		return err
	}
	for i := 0; i < int(b.NumRows()); i++ {
		delete(k.m, string(k.key(cols, i)))
	}
	return nil
}
