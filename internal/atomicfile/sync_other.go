//go:build !windows

package atomicfile

import "os"

// Rename renames from to to, replacing to. Call [SyncDir] on the directory
// afterwards to make the change durable.
func Rename(from, to string) error {
	return os.Rename(from, to)
}

// SyncDir makes a rename or link in dir durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
