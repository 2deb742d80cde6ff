package store

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"

	bolt "go.etcd.io/bbolt"
)

// Mapped pages. bbolt reads the file through a shared read-only memory
// map, and every page it touches stays mapped into the process, counted in
// its resident set, until the kernel needs the memory. Linux also maps
// the neighbours of a faulting page that are already in the page cache
// (fault-around, 64 KiB), which MADV_RANDOM does not stop, so a fetch that
// looks up the UID records of 100,000 messages ends up with a large part
// of the file in its RSS: 117 MiB of a 659 MiB file in the second fetch
// measured before this. MADV_DONTNEED on a shared file mapping only drops
// the page-table entries; the data stays in the page cache and the next
// read maps it again, so the store calls it after each operation that
// walks many pages (Commit, LookupUIDs, Search, the upgrade).

// dropMapped drops the pages of the database mapped into the process. It
// runs inside a transaction of s.db, which keeps bbolt from remapping the
// file meanwhile (a read transaction holds the map lock), so the range
// advised is bbolt's mapping and nothing that took its place.
func dropMapped(db *bolt.DB) {
	start := db.Info().Data
	end, ok := mappingEnd(start)
	if !ok {
		return
	}
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, start, end-start, syscall.MADV_DONTNEED)
}

// mappingEnd finds in /proc/self/maps the mapping that starts at start
// and returns its end, following it across lines when the kernel split it
// into several areas (same file, each starting where the last ended).
func mappingEnd(start uintptr) (uintptr, bool) {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	var (
		end  uint64
		file string // device, inode and path of the mapping
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// 7f3c4a000000-7f3c8a000000 r--s 00000000 fd:01 1234 /path/popbox.db
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		if !ok {
			continue
		}
		from, err1 := strconv.ParseUint(lo, 16, 64)
		to, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || to <= from {
			continue
		}
		id := strings.Join(fields[3:], " ")
		switch {
		case end == 0 && from == uint64(start):
			end, file = to, id
		case end != 0 && from == end && id == file:
			end = to
		case end != 0:
			return uintptr(end), true
		}
	}
	return uintptr(end), end != 0
}
