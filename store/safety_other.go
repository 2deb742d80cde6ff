//go:build !unix

package store

import "io/fs"

// ownerOf reports no owner: this system has no Unix owners and modes to
// check.
func ownerOf(fs.FileInfo) (uint32, bool) { return 0, false }

// groupOf reports no group.
func groupOf(fs.FileInfo) (uint32, bool) { return 0, false }
