package sandbox

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/security/sandbox/escapes"
)

// TestEscapeCorpus runs the corpus against the checker alone, with a policy
// that reads every table the corpus names: what must be refused is refused
// for what it does, not for the tables it names. (The server's tests run the
// same corpus over HTTP and pgwire for every role.)
func TestEscapeCorpus(t *testing.T) {
	attempts, err := escapes.Load()
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(attempts), 40)
	c := newChecker(t)
	all := Policy{CanRead: func(schema, table string) bool {
		switch schema + "." + table {
		case "health.clinics", "health.visits", "health.visits__quarantine", "labour.wage_reports":
			return true
		}
		return false
	}}
	for _, a := range attempts {
		t.Run(a.What, func(t *testing.T) {
			_, err := c.Check(t.Context(), a.SQL, all)
			if a.Kind == escapes.Masked {
				assert.NoError(t, err, "escapes.txt:%d", a.Line)
				return
			}
			if a.Kind == escapes.Contained {
				if err != nil {
					var r *Refusal
					assert.True(t, errors.As(err, &r), "escapes.txt:%d: want a refusal, got %v", a.Line, err)
				}
				return // what runs is checked by the server's tests
			}
			var r *Refusal
			assert.True(t, errors.As(err, &r), "escapes.txt:%d: want a refusal, got %v", a.Line, err)
		})
	}
}

func FuzzCheck(f *testing.F) {
	attempts, err := escapes.Load()
	require.NoError(f, err)
	for _, a := range attempts {
		f.Add(a.SQL)
	}
	c, err := NewChecker(f.Context())
	require.NoError(f, err)
	f.Cleanup(func() { c.Close() })
	f.Fuzz(func(t *testing.T, sql string) {
		st, err := c.Check(t.Context(), sql, readable)
		if err != nil {
			return
		}
		// Whatever is accepted reads only allowed views or the catalog.
		for _, tb := range st.Tables {
			assert.True(t, readable.CanRead(tb.Schema, tb.Name), tb.String())
		}
		if len(st.Tables) > 0 {
			assert.Empty(t, st.System)
			assert.False(t, st.CatalogFunctions)
		}
	})
}
