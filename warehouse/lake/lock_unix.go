//go:build unix

package lake

import (
	"errors"
	"os"
	"syscall"
)

// tryLockFile takes an exclusive flock without waiting. flock locks belong
// to the open file, so two opens in one process exclude each other too.
func tryLockFile(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}

func unlockFile(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
