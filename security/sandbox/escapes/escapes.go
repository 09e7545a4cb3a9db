// Package escapes reads the corpus of attempts to escape the SQL sandbox or
// to unmask personal data (security/sandbox/testdata/escapes.txt), which the
// sandbox's and the server's tests run.
package escapes

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Kinds of attempts.
const (
	Refused = "refused" // refused for every token
	Masked  = "masked"  // never returns raw personal data without the PII grant
	// Contained attempts may be accepted, but then run as the sandbox
	// checked them: the checked statement answers one row of one value,
	// Checked, and nothing the attempt hides in it (in a quoted name, a
	// comment, a literal) runs or leaves a trace.
	Contained = "contained"
)

// Checked is the one value a contained attempt answers when it runs.
const Checked = "checked"

// Attempt is one entry of the corpus.
type Attempt struct {
	Kind string
	What string
	SQL  string
	Line int
}

// Path is the corpus file.
func Path() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "escapes.txt")
}

// Load reads the corpus.
func Load() ([]Attempt, error) {
	f, err := os.Open(Path())
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Attempt
	var cur *Attempt
	var sql []string
	flush := func() error {
		if cur == nil {
			return nil
		}
		cur.SQL = strings.TrimSpace(strings.Join(sql, "\n"))
		if cur.SQL == "" {
			return fmt.Errorf("escapes.txt:%d: no SQL", cur.Line)
		}
		out = append(out, *cur)
		return nil
	}
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		l := sc.Text()
		if h, ok := strings.CutPrefix(l, "## "); ok {
			if err := flush(); err != nil {
				return nil, err
			}
			kind, what, ok := strings.Cut(h, ": ")
			if !ok || (kind != Refused && kind != Masked && kind != Contained) {
				return nil, fmt.Errorf("escapes.txt:%d: want \"## refused: …\", \"## masked: …\" or \"## contained: …\"", line)
			}
			cur, sql = &Attempt{Kind: kind, What: what, Line: line}, nil
			continue
		}
		if strings.HasPrefix(l, "#") { // a comment (SQL has no line starting with #)
			continue
		}
		sql = append(sql, l)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, flush()
}

// Normalize is a statement with its spaces collapsed and no final
// semicolon, for comparing what was sent with what was audited.
func Normalize(sql string) string {
	return strings.TrimSuffix(strings.Join(strings.Fields(sql), " "), ";")
}
