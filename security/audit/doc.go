// Package audit is the append-only log of every query and every admin
// action: who (token id, name, role), when, what (the SQL, the mart or the
// token acted on), rows, duration, outcome and the reason of a refusal.
//
// It is a SQLite file (kho-data/audit.db) that only Kho writes: it is never
// attached to the query engine, so no user SQL can reach it. Triggers refuse
// UPDATE and DELETE, and every entry carries the SHA-256 of the previous
// entry's hash and its own fields, so that an edit of the file by other means
// shows in Verify (kho audit --verify). The chain alone cannot show entries
// deleted from its end, so the head (the last entry's id and hash) is kept in
// another file (WithHead: kho-data/security.db) and Verify compares the two.
//
// Tally folds floods (failed logins, refused connections, probes of
// datasets) into one entry per client and minute with a Count.
package audit
