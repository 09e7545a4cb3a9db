package secret

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
)

const pw = "S3cret-Passw0rd"

func TestRedactText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"postgres url", "cannot parse `postgres://kho:" + pw + "@db:5432/yte`", "cannot parse `postgres://kho:[redacted]@db:5432/yte`"},
		{"key=value", "host=db user=kho password=" + pw + " dbname=yte", "host=db user=kho password=[redacted] dbname=yte"},
		{"quoted key=value", "password='" + pw + " x' dbname=yte", "password=[redacted] dbname=yte"},
		{"mysql driver form", "bad dsn kho:" + pw + "@tcp(db:3306)/nn", "bad dsn kho:[redacted]@tcp(db:3306)/nn"},
		{"mysql url", "mysql://kho:" + pw + "@db/nn", "mysql://kho:[redacted]@db/nn"},
		{"the secret anywhere", "auth failed for " + pw, "auth failed for [redacted]"},
		{"nothing to hide", "connection refused", "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, RedactText(tt.in, pw))
		})
	}
}

func TestRedactKeepsChain(t *testing.T) {
	cause := fmt.Errorf("dial postgres://kho:%s@db: %w", pw, syscall.ECONNREFUSED)
	err := fmt.Errorf("opening: %w", Redact(cause, pw))
	assert.NotContains(t, err.Error(), pw)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	assert.Nil(t, Redact(nil, pw))
}

func TestSecretForms(t *testing.T) {
	s := Secret("postgres://kho:" + pw + "@db/yte")
	var log strings.Builder
	slog.New(slog.NewTextHandler(&log, nil)).Info("x", "dsn", s)
	j, _ := s.MarshalJSON()
	y, _ := s.MarshalYAML()
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s %q", s, s, s, s, s), log.String(), string(j), fmt.Sprint(y)} {
		assert.NotContains(t, out, pw)
	}
	assert.Equal(t, "postgres://kho:"+pw+"@db/yte", s.Value())
	assert.Equal(t, "", Secret("").String())
	assert.True(t, errors.Is(Redact(syscall.ECONNRESET), syscall.ECONNRESET))
}
