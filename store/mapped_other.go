//go:build !linux

package store

import bolt "go.etcd.io/bbolt"

// dropMapped does nothing here: the fault-around that fills the resident
// set with mapped pages of the file (see mapped_linux.go) is Linux's.
func dropMapped(*bolt.DB) {}
