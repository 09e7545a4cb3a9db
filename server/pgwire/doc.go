// Package pgwire serves the warehouse over the PostgreSQL wire protocol
// (version 3, with github.com/jackc/pgx/v5/pgproto3 as the backend), so that
// psql, pgx, lib/pq, DBeaver and Metabase can connect with a token as the
// password and run SQL through the same sandbox, masking, limits and audit as
// the HTTP API (server/engine).
//
// What it speaks: startup (an SSL request upgrades to TLS when Deps.TLS is
// set, and then a client starting in clear text is refused before its
// password is asked for; without it SSL and GSS requests are answered 'N':
// put a TLS proxy in front when the network is not trusted), cleartext
// password authentication (any user name; the password is a Kho token),
// the simple query protocol and the extended one (Parse, Bind, Describe,
// Execute, Sync, Close, Flush) with text results and binary results for
// the types pgx and JDBC ask for (bool, integers, floats, numeric, text,
// bytea, date, time, timestamp, timestamptz, interval, uuid, json),
// ErrorResponse with SQLSTATE codes (42501 for sandbox refusals, 42601
// syntax, 57014 cancelled or timed out, 28P01 bad token), CancelRequest, and
// Terminate. A statement stops when its client cancels it or closes the
// connection.
//
// What clients send on connecting, SET, RESET, SHOW, BEGIN, COMMIT, ROLLBACK,
// DISCARD and DEALLOCATE, is answered here and never reaches DuckDB.
// Catalog queries (pg_catalog, information_schema) run on the session's
// catalog database, which shows only what the token may read; a few
// PostgreSQL-only spellings psql uses are rewritten first (pgcompat.go).
package pgwire
