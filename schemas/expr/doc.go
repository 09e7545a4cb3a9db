// Package expr is the small expression language of a dataset's row checks
// (`checks: [{assert: ...}]` in a schema file). An expression is parsed once
// and evaluated for every row:
//
//	due_at >= received_at
//	area_ha > 0 and (output_tonnes is null or output_tonnes / area_ha <= 80)
//	len(tax_code) in (10, 14) or tax_code is null
//	year(visit_date) - birth_year between 0 and 120
//	not (status = 10 and returned_at is null)
//
// Values are numbers (float64), text, dates and times (time.Time), booleans
// and null. Operators, loosest first: or; and; not; comparisons (= == != <>
// < <= > >=, is [not] null, [not] in (...), [not] between ... and ...);
// + - and || (text concatenation); * / %; unary minus. Functions: len, lower,
// upper, trim, year, month, day, days(a, b) (days from a to b), abs, round,
// coalesce, date('yyyy-mm-dd').
//
// Null follows SQL: an operation on a null is null, "null and false" is
// false, "null or true" is true. A check fails only when its expression is
// false: a row whose check is null passes (required: is the rule for missing
// values). No library we use offers this (CEL and expr-lang are heavier and
// do not follow SQL's null logic), so it is our own.
package expr
