// Package excel is the "excel" connector: it streams the sheets of .xlsx
// workbooks (one file or a glob) as Arrow batches of text columns. It finds the
// header row under report titles, turns date cells into ISO dates, repairs text
// typed in the legacy TCVN3 and VNI fonts, and leaves out the total rows and
// the signature block at the foot of a report (counting them). See README.md.
//
// It reads the workbook's parts itself (archive/zip and encoding/xml) rather
// than through excelize's Rows iterator: that iterator yields cell values but
// not the style of each cell, and a cell's style is what says it holds a date
// or text in a TCVN3 font; excelize's GetCellStyle would load the whole sheet
// into memory. Rows are read one at a time; the shared-strings table and the
// styles are held in memory, as every xlsx reader does. excelize is still used
// for date serial numbers (ExcelDateToTime) and, in the tests, to write files.
package excel
