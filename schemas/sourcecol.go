package schemas

// SourceColumn is the source column that feeds a dataset column (by the
// mapping, its name or its label), and whether one does.
func (c *Conformer) SourceColumn(name string) (string, bool) {
	for _, p := range c.cols {
		if p.col.Name == name && p.src >= 0 {
			return c.srcCols[p.src], true
		}
	}
	return "", false
}
