package excel

import "github.com/sonla-data/kho/connectors/internal/report"

// isTotal tells whether a row is a total row (report.IsTotal).
func isTotal(r row) bool { return report.IsTotal(r.cells) }

// isSignature tells whether a row starts the signature block (report.IsSignature).
func isSignature(r row) bool { return report.IsSignature(r.cells) }
