// Package vnenc decodes and repairs text in the legacy 8-bit Vietnamese
// encodings that government files still carry: TCVN3 (ABC; fonts .VnTime,
// .VnTimeH, .VnArial...) and VNI Windows (fonts VNI-Times, VNI-Helve...), where
// VNI writes most letters as a base letter followed by a mark byte.
//
// No maintained Go library decodes these encodings (golang.org/x/text has
// Windows-1258 but neither TCVN3 nor VNI), so this package is our own, built
// from the byte table in Kho's shared reference facts
// (legacy_charset_tcvn3_vni.csv, turned into table.go by gen_table.go).
//
// The connectors use it three ways: to decode a whole file (Decoder, for the
// CSV reader), to decode a cell whose font says it holds legacy bytes
// (DecodeTCVN3, DecodeVNI), and to repair mojibake — legacy bytes that some tool
// already read as Windows-1252 — in any text (RepairString). Detect and Score
// judge which reading looks like Vietnamese.
package vnenc
