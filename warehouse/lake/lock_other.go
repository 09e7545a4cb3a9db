//go:build !unix

package lake

import (
	"os"
	"sync"
)

// Without flock (Windows), the lock only excludes writers of this process.
var (
	procLocksMu sync.Mutex
	procLocks   = map[string]bool{}
)

func tryLockFile(f *os.File) (bool, error) {
	procLocksMu.Lock()
	defer procLocksMu.Unlock()
	if procLocks[f.Name()] {
		return false, nil
	}
	procLocks[f.Name()] = true
	return true, nil
}

func unlockFile(f *os.File) error {
	procLocksMu.Lock()
	defer procLocksMu.Unlock()
	delete(procLocks, f.Name())
	return nil
}
