//go:build !(linux || darwin || freebsd)

package lake

// diskFree is unknown on this system.
func diskFree(string) int64 { return -1 }

// readOnlyFS is unknown on this system.
func readOnlyFS(string) bool { return false }
