// Package vntext normalises Vietnamese text the way the province's conformed
// datasets store it:
//
//   - Unicode NFC (drops mix NFC and NFD);
//   - one tone-mark placement. Kho stores the "new" placement (kiểu mới) of
//     the Ministry of Education's spelling rules (Quyết định 240/QĐ, 1984),
//     also the one TCVN 5712 keyboards and the national public-service portal
//     produce: in an open syllable whose vowel is oa, oe or uy the tone sits on
//     the second vowel — "hoà", "khoẻ", "thuý" — where the "old" placement
//     writes "hòa", "khỏe", "thúy". Every other syllable is written the same
//     way in both placements and is left alone;
//   - text typed in the legacy TCVN3 or VNI encodings and read as Windows-1252
//     ("Thµnh phè", "Thaønh phoá") repaired, per value (internal/vnenc);
//   - white space: zero-width characters removed, no-break and other spaces
//     turned into plain spaces, the ends trimmed and, where asked, inner runs
//     collapsed;
//   - a case rule where asked (upper, lower, title).
//
// MatchKey is the diacritic-aware key names are compared on: NFC, lower case,
// tone placement normalised, spaces collapsed — tone marks are kept, so
// "Chiềng Hắc" and "Chiềng Hặc" stay different.
package vntext
