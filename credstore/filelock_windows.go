package credstore

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// tryFlock takes an exclusive lock on all of f without waiting
// (LockFileEx); it reports false when another handle holds one. Like an
// flock the lock belongs to the open file, so acquireFlock, which opens the
// file anew each time, excludes other goroutines of this process too.
func tryFlock(f *os.File) (bool, error) {
	err := windows.LockFileEx(windows.Handle(f.Fd()),
		windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, ^uint32(0), ^uint32(0), new(windows.Overlapped))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, windows.ERROR_LOCK_VIOLATION):
		return false, nil
	default:
		return false, &os.PathError{Op: "LockFileEx", Path: f.Name(), Err: err}
	}
}

func unflock(f *os.File) {
	windows.UnlockFileEx(windows.Handle(f.Fd()), 0, ^uint32(0), ^uint32(0), new(windows.Overlapped))
}
