// Package mask turns personal data into what a token without the PII grant
// may see, as DuckDB SQL expressions that the serving views apply to their
// columns (so every path, SQL, API, pgwire, downloads and marts, reads the
// same masked values):
//
//	cccd        the first 3 digits (province of registration) and the last 2: 014*******89
//	phone       the first 2 digits and the last 2: 09******78
//	email       the first letter and the domain: n***@gmail.com
//	name        initials: Nguyễn Văn An -> N. V. A.
//	birth_date  the year (an INTEGER)
//	address     from the commune on: "Bản Mòng, xã Hua La" -> "xã Hua La"
//	tax_code    a personal tax code like a CCCD: 801*****23
//	social_insurance  the first 2 and the last 2: 14******89
//	health      NULL
//	ethnicity   NULL
//
// A tag this package does not know masks to NULL.
package mask
