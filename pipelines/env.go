package pipelines

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
)

var (
	envRe    = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}`)
	secretRe = regexp.MustCompile(`(?i)(password|passwd|secret|token|dsn|key|credential)`)
)

// Lookup finds an environment variable (os.LookupEnv, or a map in tests).
type Lookup func(string) (string, bool)

// expand replaces ${VAR} and ${VAR:-default} in a pipeline's text. A variable
// that is unset and has no default is an error naming it and the line. The
// values of variables whose names say they are secrets (…PASSWORD, …TOKEN,
// …DSN, …KEY, …SECRET) are returned so that messages can redact them.
func expand(file string, text []byte, lookup Lookup) ([]byte, []string, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	var (
		missing error
		secrets []string
	)
	out := envRe.ReplaceAllFunc(text, func(m []byte) []byte {
		sub := envRe.FindSubmatch(m)
		name := string(sub[1])
		if v, ok := lookup(name); ok && v != "" {
			if secretRe.MatchString(name) {
				secrets = append(secrets, v)
			}
			return []byte(v)
		}
		if len(sub[2]) > 0 {
			return sub[3]
		}
		if missing == nil {
			line := 1 + bytes.Count(text[:max(0, bytes.Index(text, m))], []byte("\n"))
			missing = fmt.Errorf("%s:%d: environment variable %s is not set", file, line, name)
		}
		return m
	})
	return out, secrets, missing
}
