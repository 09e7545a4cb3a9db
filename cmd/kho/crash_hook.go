package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/sonla-data/kho/warehouse/lake"
)

// installLakeCrashHook lets the crash tests kill kho with SIGKILL at a named
// point of the lake's operations: KHO_TEST_CRASH_AT=lake:POINT, or
// lake:POINT#N for the N-th time the point is reached (points in
// warehouse/lake: relocate:table-written, restore:aside, ...). Unset, it
// does nothing.
func installLakeCrashHook() {
	at, ok := strings.CutPrefix(os.Getenv("KHO_TEST_CRASH_AT"), "lake:")
	if !ok {
		return
	}
	point, nth := at, 1
	if p, n, ok := strings.Cut(at, "#"); ok {
		point = p
		nth, _ = strconv.Atoi(n)
	}
	seen := 0
	lake.At = func(p string) {
		if p != point {
			return
		}
		if seen++; seen == nth {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
	}
}
