package store

import bolt "go.etcd.io/bbolt"

// Mapped pages. bbolt reads the file through a shared read-only memory
// map, and every page it touches stays mapped into the process, counted in
// its resident set, until the kernel needs the memory. Linux also maps
// the neighbours of a faulting page that are already in the page cache
// (fault-around, 64 KiB), which MADV_RANDOM does not stop, so a fetch that
// looks up the UID records of 100,000 messages ends up with a large part
// of the file in its RSS: 117 MiB of a 659 MiB file in the second fetch
// measured before this. On Linux (mapped_linux.go) MADV_DONTNEED on a shared file mapping only drops
// the page-table entries; the data stays in the page cache and the next
// read maps it again, so the store calls it after each operation that
// walks many pages (Commit, LookupUIDs, Search, the upgrade). Elsewhere
// this does nothing (mapped_other.go).

// dropMapped drops the pages of the database mapped into the process;
// tx, a transaction of s.db, keeps the mapping in place meanwhile.
func (s *Store) dropMapped(*bolt.Tx) { dropMapped(s.db) }

// release drops the mapped pages after a write transaction, in a read
// transaction of its own: a write transaction may remap the file while
// it commits.
func (s *Store) release() {
	_ = s.db.View(func(tx *bolt.Tx) error {
		s.dropMapped(tx)
		return nil
	})
}
