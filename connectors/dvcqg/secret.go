package dvcqg

import "log/slog"

// Secret is a value that must never be printed: its String, GoString, JSON,
// YAML and log forms are "[redacted]". Value gives the text itself, for the
// one place that sends it.
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
func (s Secret) GoString() string { return `dvcqg.Secret("` + s.String() + `")` }

// LogValue keeps slog from printing the secret.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON and MarshalYAML keep a dumped config from printing the secret.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }
