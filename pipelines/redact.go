package pipelines

import (
	"errors"
	"regexp"
	"strings"
)

// urlPassword matches the password of a URL-style DSN (scheme://user:pass@host)
// and of a key=value DSN (password=…).
var (
	urlPassword = regexp.MustCompile(`(://[^:/@\s]*:)([^@\s]+)(@)`)
	kvPassword  = regexp.MustCompile(`(?i)(password\s*=\s*)('[^']*'|\S+)`)
)

// Redact hides secrets in a text: the values of secret variables expanded
// into the pipeline, and passwords in DSNs.
func Redact(s string, secrets []string) string {
	for _, v := range secrets {
		if len(v) >= 4 {
			s = strings.ReplaceAll(s, v, "***")
		}
	}
	s = urlPassword.ReplaceAllString(s, "${1}***${3}")
	return kvPassword.ReplaceAllString(s, "${1}***")
}

// redactedError keeps the chain (errors.Is/As still work) but prints redacted.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// RedactError wraps err so that its message never shows a secret.
func RedactError(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	msg := Redact(err.Error(), secrets)
	if msg == err.Error() {
		return err
	}
	var re *redactedError
	if errors.As(err, &re) {
		return err
	}
	return &redactedError{msg: msg, err: err}
}
