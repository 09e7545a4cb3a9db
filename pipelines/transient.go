package pipelines

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/sonla-data/kho/warehouse/lake"
)

// IsTransient reports whether a run failed for a passing reason worth a
// retry: a refused or reset connection, a timeout, a busy table. Data errors
// (a bad row under on_error: fail, an accounting mismatch, schema drift under
// freeze, a bad config) are not: retrying them would fail the same way.
// An error may also say so itself with a Transient() bool method.
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	var t interface{ Transient() bool }
	if errors.As(err, &t) {
		return t.Transient()
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, lake.ErrLocked) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe)
}
