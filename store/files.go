package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// The database and the key file are checked before popbox opens them: a
// named pipe at the path would block the open for ever, and a device or a
// socket is no file to keep mail in. Stat follows symbolic links, so a link
// to a regular file is fine. Each file is opened with O_NONBLOCK and checked
// again on the open descriptor, so something swapped in between the two
// cannot block popbox either.

// fileKind says what a file that is not a regular file is, for a sentence.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "not a regular file"
}

// notFileReason is the Reason of an OpenError for a path that holds
// something other than a regular file.
func notFileReason(m fs.FileMode) string {
	if m.IsDir() {
		return "it is a folder"
	}
	return "it is " + fileKind(m) + ", not a file"
}

// notFile is the refusal of a database or key file path that is not a
// regular file.
func notFile(path string, key bool, m fs.FileMode) error {
	if key {
		return &OpenError{Path: path, Key: true, Err: ErrKeyFile, Reason: notFileReason(m)}
	}
	return &OpenError{Path: path, Err: ErrNotDatabase, Reason: notFileReason(m)}
}

// statFile stats path, following symbolic links; exists is false (with a
// nil error) when there is nothing at path. Anything but a regular file is
// refused.
func statFile(path string, key bool) (info fs.FileInfo, exists bool, err error) {
	info, err = os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, false, nil
	case err != nil:
		what := "the database"
		if key {
			what = "the key file"
		}
		return nil, false, fmt.Errorf("open %s %s: %w", what, path, err)
	case !info.Mode().IsRegular():
		return nil, true, notFile(path, key, info.Mode())
	}
	return info, true, nil
}

// openRegular opens name like os.OpenFile, but never blocks on a named pipe
// and refuses anything that is not a regular file, or that fails
// checkSafeFile. It is also bbolt's OpenFile.
func openRegular(name string, flag int, perm os.FileMode) (*os.File, error) {
	f, err := os.OpenFile(name, flag|syscall.O_NONBLOCK, perm)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, notFile(name, false, info.Mode())
	}
	if err := checkSafeFile(name, false, info); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// readKeyFile reads the key file at path, which must be a regular file that
// passes checkSafeFile; err wraps fs.ErrNotExist when there is none.
func readKeyFile(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, notFile(path, true, info.Mode())
	}
	if err := checkSafeFile(path, true, info); err != nil {
		return nil, err
	}
	// A key is 32 bytes; more than this is no key at all.
	return io.ReadAll(io.LimitReader(f, 1<<16))
}
