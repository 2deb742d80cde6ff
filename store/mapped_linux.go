package store

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"

	bolt "go.etcd.io/bbolt"
)

// dropMapped drops the pages of the database mapped into the process (see
// mapped.go). It runs inside a transaction of db, which keeps bbolt from remapping the
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
