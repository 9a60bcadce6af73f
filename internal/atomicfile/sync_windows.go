package atomicfile

import (
	"os"

	"golang.org/x/sys/windows"
)

// Rename renames from to to, replacing to, and returns only once the change
// is on disk (MoveFileEx with MOVEFILE_WRITE_THROUGH): Windows has no
// directory sync to do it afterwards.
func Rename(from, to string) error {
	f, err := windows.UTF16PtrFromString(from)
	if err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	t, err := windows.UTF16PtrFromString(to)
	if err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	if err := windows.MoveFileEx(f, t, windows.MOVEFILE_REPLACE_EXISTING|windows.MOVEFILE_WRITE_THROUGH); err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	return nil
}

// SyncDir does nothing on Windows: a directory cannot be opened for the
// write access that flushing needs. [Rename] writes through instead.
func SyncDir(string) error { return nil }
