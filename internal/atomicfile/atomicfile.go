// Package atomicfile writes files that must survive a crash whole or not at all: bid secrets, bid
// state, receipts.
package atomicfile

import "os"

// Write writes data to path through a temporary file that is synced before it is renamed over path,
// so a reader never sees a partial file and a crash never loses a file that Write reported written.
func Write(path string, data []byte, perm os.FileMode) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
