//go:build unix

package tui

import "syscall"

func init() {
	// The store refuses a database whose folder group or others may write
	// to; the temporary folders of the tests are made with the umask,
	// which some systems set to 002.
	syscall.Umask(0o022)
}
