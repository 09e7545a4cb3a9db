// Package report recognises the rows of a printed government report that are
// not data: total and subtotal rows ("Tổng cộng", "Cộng"), the signature block
// at the foot ("Người lập biểu", "GIÁM ĐỐC", "Sơn La, ngày ... tháng ...
// năm ..."), the header repeated at a page break, and the row of column
// numbers ("(1)", "(2)"... or "A", "B", "1", "2"...) under a header. The csv
// and excel connectors use it to leave such rows out and count them.
package report
