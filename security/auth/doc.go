// Package auth holds the tokens, the roles and the rule of who reads what.
//
// Tokens are random 32-byte secrets shown once; the store keeps their
// SHA-256 only, in a SQLite file (kho-data/security.db), with the role, a
// name, the agency, explicit dataset grants, the PII grant and the dates of
// creation and revocation.
//
// Who reads what (CanRead):
//
//   - open datasets: every role, and callers without a token (role public);
//   - shared datasets: engineer, analyst and admin tokens of the owner agency,
//     and any token with a grant on the dataset;
//   - restricted datasets: only tokens with an explicit grant on the dataset,
//     admin included (admins manage tokens and grants; reading citizens'
//     personal data still needs a grant, so that it is visible in the token
//     list and the audit log);
//   - marts: dashboard, analyst, engineer and admin tokens, and any token with
//     a grant on the mart;
//   - quarantine tables (<dataset>__quarantine): engineer and admin tokens of
//     the dataset's owner agency, and tokens with a grant on the quarantine
//     table itself.
//
// A grant names a dataset (health.visits), a mart (marts.dossier_kpi_monthly),
// a quarantine table (health.visits__quarantine) or a whole domain
// (health.*, quarantines included). Public tokens take no grants. The PII
// grant unmasks personal-data columns of whatever the token may read; it
// never widens what the token may read.
//
// Guard is the token check of every door (HTTP, pages, pgwire): it limits
// failed authentications per client address (Limits, RateLimitedError) and
// audits failures, folded per client and minute.
package auth
