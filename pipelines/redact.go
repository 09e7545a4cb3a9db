package pipelines

import "github.com/sonla-data/kho/internal/secret"

// Redact hides secrets in a text: the values of secret variables expanded
// into the pipeline, and passwords in DSNs.
func Redact(s string, secrets []string) string { return secret.RedactText(s, secrets...) }

// RedactError wraps err so that its message never shows a secret; errors.Is
// and errors.As still reach the cause.
func RedactError(err error, secrets []string) error { return secret.Redact(err, secrets...) }
