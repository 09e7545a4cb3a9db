// Package mask turns personal data into what a token without the PII grant
// may see, as DuckDB SQL expressions that the serving views apply to their
// columns (so every path, SQL, API, pgwire, downloads and marts, reads the
// same masked values):
//
//	cccd        a keyed pseudonym shown like the value: its length, the ends
//	            from the pseudonym, stars between: 014150727289 -> K7Q2****X9B3
//	phone       the same over the digits: 0912345678 -> 3MZ0**P1D8
//	email       8 characters of the pseudonym and the domain: 6dotxgor***@gmail.com
//	name        initials: Nguyễn Văn An -> N. V. A.
//	birth_date  the year (an INTEGER)
//	address     from the commune on: "Bản Mòng, xã Hua La" -> "xã Hua La"
//	tax_code, social_insurance  like a CCCD
//	health      NULL
//	ethnicity   NULL
//
// A tag this package does not know masks to NULL.
//
// The identifiers (cccd, phone, email, tax_code, social_insurance) used to
// keep their real ends (a CCCD's province code and last two digits): with
// initials, birth year and commune that linked one person's records across
// datasets and with outside data. Their pseudonym is keyed per token and per
// dataset (Pseudonym): stable in one token's answers on one dataset, so that
// counts by person work, and useless for joining anything else.
package mask
