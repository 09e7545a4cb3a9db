package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/sonla-data/kho/security/audit"
	"github.com/sonla-data/kho/security/sandbox"
)

// TimeoutError is a statement stopped at its time limit.
type TimeoutError struct{ After time.Duration }

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("câu lệnh chạy quá %s và đã bị dừng / the statement ran longer than %s and was stopped", e.After, e.After)
}

// CanceledError is a statement stopped because its caller went away.
type CanceledError struct{ Cause error }

func (e *CanceledError) Error() string {
	return "câu lệnh đã bị hủy / the statement was cancelled"
}

func (e *CanceledError) Unwrap() error { return e.Cause }

var errTimeout = errors.New("statement timeout")

// settle turns an error of a statement run under tctx (the time-limited
// context derived from ctx) into what happened.
func settle(ctx, tctx context.Context, timeout time.Duration, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(context.Cause(tctx), errTimeout) && ctx.Err() == nil {
		return &TimeoutError{After: timeout}
	}
	if ctx.Err() != nil {
		return &CanceledError{Cause: err}
	}
	var de *duckdb.Error
	if errors.As(err, &de) && de.Type == duckdb.ErrorTypeInterrupt {
		return &CanceledError{Cause: err}
	}
	return err
}

// Outcome is the audit outcome of a statement's error.
func Outcome(err error) string {
	var (
		r  *sandbox.Refusal
		te *TimeoutError
		ce *CanceledError
	)
	switch {
	case err == nil:
		return audit.OK
	case errors.As(err, &r):
		return audit.Refused
	case errors.As(err, &te):
		return audit.Timeout
	case errors.As(err, &ce):
		return audit.Canceled
	}
	return audit.Error
}

// reason is the audit reason of an error.
func reason(err error) string {
	if err == nil {
		return ""
	}
	var r *sandbox.Refusal
	if errors.As(err, &r) {
		return r.Code + ": " + r.EN
	}
	s := err.Error()
	if len(s) > 1000 {
		s = s[:1000]
	}
	return s
}
