package pipelines

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
)

var envRe = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}`)

// Lookup finds an environment variable (os.LookupEnv, or a map in tests).
type Lookup func(string) (string, bool)

// expand replaces ${VAR} and ${VAR:-default} in a pipeline's text. A variable
// that is unset and has no default is an error naming it and the line.
func expand(file string, text []byte, lookup Lookup) ([]byte, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	var missing error
	out := envRe.ReplaceAllFunc(text, func(m []byte) []byte {
		sub := envRe.FindSubmatch(m)
		if v, ok := lookup(string(sub[1])); ok && v != "" {
			return []byte(v)
		}
		if len(sub[2]) > 0 {
			return sub[3]
		}
		if missing == nil {
			line := 1
			if i := bytes.Index(text, m); i >= 0 {
				for _, c := range text[:i] {
					if c == '\n' {
						line++
					}
				}
			}
			missing = fmt.Errorf("%s:%d: environment variable %s is not set", file, line, sub[1])
		}
		return m
	})
	return out, missing
}
