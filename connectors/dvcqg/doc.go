// Package dvcqg is the Kho connector for the dossier records of the national
// public-service portal (Cổng Dịch vụ công quốc gia, DVCQG), source type
// "dvcqg". It reads the portal's sync requests — DongBoHoSoMC (dossiers) and
// CapNhatTienDoHoSoMC (processing steps), or a bare JSON array of dossiers —
// from files, or page by page from an HTTP endpoint of the provincial
// integration platform (LGSP) with a bearer token, retries and a time window
// that moves with the watermark. It streams one record kind as text columns:
// dossiers, their submitted documents, their result papers, or processing
// steps.
//
// Decoding is streaming: Decoder walks the request with encoding/json tokens
// and hands over one element of the `data` array at a time, from any
// io.Reader, so a file or a response body of any size is read in bounded
// memory. A dossier that is not an object or has a field of the wrong shape
// becomes a bad row (_kho_error) for the quarantine; a syntax error stops the
// file (or page) with its line, column and byte offset, after the rows read
// before it.
package dvcqg
