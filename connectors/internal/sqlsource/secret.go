package sqlsource

import "github.com/sonla-data/kho/internal/secret"

// Secret is a configuration value that must never be printed, such as a DSN
// holding a password (the one type of internal/secret).
type Secret = secret.Secret

// RedactText hides the secrets and any DSN password in a text.
func RedactText(s string, secrets ...string) string { return secret.RedactText(s, secrets...) }

// Redact wraps err so that its message shows none of the secrets nor any DSN
// password; errors.Is and errors.As still reach the cause. nil stays nil.
func Redact(err error, secrets ...string) error { return secret.Redact(err, secrets...) }
