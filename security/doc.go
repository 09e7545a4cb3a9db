// Package security groups what keeps the warehouse's data where it belongs
// when it is served: auth (tokens, roles, grants), mask (PII masking as SQL
// expressions), sandbox (the allow-list over a statement's parsed tree) and
// audit (the append-only log of every query and admin action).
package security
