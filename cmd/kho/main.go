// Command kho is the provincial data warehouse of Sơn La: it runs the
// province's pipelines into an Iceberg lake, builds the leadership marts and
// answers SQL over them. `kho --help` lists its commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	_ "github.com/sonla-data/kho/connectors/all"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // a run, a query or a test failed
	exitUsage   = 2 // bad flags, config or pipeline files
)

// usageError marks errors in what the user asked for.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	installLakeCrashHook()
	root, prof := newRoot(), &profiler{}
	prof.register(root)
	err := root.ExecuteContext(ctx)
	prof.stop()
	stop()
	if err == nil {
		os.Exit(exitOK)
	}
	fmt.Fprintln(os.Stderr, "kho:", boundErrText(err.Error()))
	var ue usageError
	if errors.As(err, &ue) {
		os.Exit(exitUsage)
	}
	os.Exit(exitFailure)
}
