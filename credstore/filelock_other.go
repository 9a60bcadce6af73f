//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd || windows)

package credstore

import (
	"errors"
	"os"
)

// tryFlock fails where flock is missing: the file store needs it to keep
// processes from overwriting each other's writes.
func tryFlock(f *os.File) (bool, error) {
	return false, &os.PathError{Op: "flock", Path: f.Name(), Err: errors.ErrUnsupported}
}

func unflock(*os.File) {}
