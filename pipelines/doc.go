// Package pipelines loads and validates pipeline specs (YAML), and runs them:
// source -> conform -> one lake commit per target, with the quarantine, the
// counts and the incremental state recorded, and every run kept in a history.
package pipelines
