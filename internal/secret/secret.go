// Package secret is the one type for configuration values that must never be
// printed (passwords, DSNs, tokens), and the redaction of secrets and DSN
// passwords from messages. Connectors and the pipeline runner share it.
package secret

import (
	"errors"
	"log/slog"
	"regexp"
	"strings"
)

// Secret is a configuration value that must never be printed, such as a DSN
// holding a password: its String, GoString, JSON, YAML and log forms are
// "[redacted]". Value gives the text itself, for the one place that uses it.
type Secret string

const redacted = "[redacted]"

// Value returns the secret text.
func (s Secret) Value() string { return string(s) }

func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString keeps %#v from printing the secret.
func (s Secret) GoString() string { return `secret.Secret("` + s.String() + `")` }

// LogValue keeps slog from printing the secret.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON and MarshalYAML keep a dumped config from printing the secret.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

// MarshalYAML is the redacted form.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// minSecret is the shortest password replaced wherever it appears in a
// message; shorter ones would mangle the text (and are hidden by the DSN
// patterns where a DSN is quoted).
const minSecret = 3

var (
	urlPassword = regexp.MustCompile(`(://[^:/@\s]*:)([^@\s]+)(@)`)
	kvPassword  = regexp.MustCompile(`(?i)(password\s*=\s*)('[^']*'|\S+)`)
	// go-sql-driver DSNs: user:password@tcp(host)/db
	mysqlPassword = regexp.MustCompile(`(^|[\s"'` + "`" + `(])([^:@\s/"']+:)([^@\s]+)(@(tcp|unix|udp)?\()`)
)

// RedactText hides the secrets and any DSN password in a text.
func RedactText(s string, secrets ...string) string {
	for _, v := range secrets {
		if len(v) >= minSecret {
			s = strings.ReplaceAll(s, v, redacted)
		}
	}
	s = urlPassword.ReplaceAllString(s, "${1}"+redacted+"${3}")
	s = mysqlPassword.ReplaceAllString(s, "${1}${2}"+redacted+"${4}")
	return kvPassword.ReplaceAllString(s, "${1}"+redacted)
}

// redactedError prints a redacted message but keeps the chain, so that
// errors.Is and errors.As still reach the cause.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// Redact wraps err so that its message shows none of the secrets (the DSN,
// its password) nor any DSN password. nil stays nil.
func Redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := RedactText(err.Error(), secrets...)
	var re *redactedError
	if msg == err.Error() && errors.As(err, &re) {
		return err
	}
	return &redactedError{msg: msg, err: err}
}
