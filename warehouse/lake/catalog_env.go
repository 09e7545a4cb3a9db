package lake

import (
	"errors"
	"fmt"
	"path/filepath"
	"syscall"

	"modernc.org/sqlite"
)

// catalogUnreachable tells an error of the machine (a full disk, a
// read-only or unwritable folder, a lock held elsewhere) from a catalog
// that is damaged. Both stop every command, but only the second calls for
// a restore: restoring a backup over a whole catalog because the disk was
// full would throw away every commit since the backup. It returns nil when
// err is not such an error.
func catalogUnreachable(what, path string, err error) error {
	why := ""
	var se *sqlite.Error
	switch {
	case errors.As(err, &se):
		switch se.Code() & 0xff {
		case 10, 13: // SQLITE_IOERR, SQLITE_FULL
			why = "the disk may be full or failing"
		case 8, 3: // SQLITE_READONLY, SQLITE_PERM
			why = "the folder or the file is read-only for this user"
		case 14: // SQLITE_CANTOPEN
			why = "the file cannot be opened (permissions, or a folder that is gone)"
		case 5, 6: // SQLITE_BUSY, SQLITE_LOCKED
			why = "another process holds it locked"
		default:
			return nil
		}
	case errors.Is(err, syscall.ENOSPC):
		why = "the disk is full"
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EROFS), errors.Is(err, syscall.EPERM):
		why = "the folder or the file is read-only for this user"
	default:
		return nil
	}
	if readOnlyFS(filepath.Dir(path)) {
		why = "the file system holding it is mounted read-only: Kho needs to write beside its catalog, even to read"
	} else if free := diskFree(filepath.Dir(path)); free >= 0 {
		why += fmt.Sprintf("; %s has %d kB free", filepath.Dir(path), free/1024)
	}
	return fmt.Errorf("the lake's %s cannot be opened: %v (%s). This is the machine's trouble, not the catalog's: "+
		"the catalog is most likely whole. Free space or fix the permissions and run the command again; "+
		"do not restore a backup over it (it would lose every commit since the backup)", what, err, why)
}
