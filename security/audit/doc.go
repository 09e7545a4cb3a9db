// Package audit is the append-only log of every query and every admin
// action: who (token id, name, role), when, what (the SQL, the mart or the
// token acted on), rows, duration, outcome and the reason of a refusal.
//
// It is a SQLite file (kho-data/audit.db) that only Kho writes: it is never
// attached to the query engine, so no user SQL can reach it. Triggers refuse
// UPDATE and DELETE, and every entry carries the SHA-256 of the previous
// entry's hash and its own fields, so that an edit of the file by other means
// shows in Verify (kho audit --verify).
package audit
