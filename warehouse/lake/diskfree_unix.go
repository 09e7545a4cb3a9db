//go:build linux || darwin || freebsd

package lake

import "syscall"

// diskFree is the space free to this user on dir's file system, in bytes
// (-1 when unknown).
func diskFree(dir string) int64 {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return -1
	}
	return int64(st.Bavail) * int64(st.Bsize)
}

// readOnlyFS reports whether dir is on a file system mounted read-only.
func readOnlyFS(dir string) bool {
	return syscall.Access(dir, 2 /* W_OK */) == syscall.EROFS
}
