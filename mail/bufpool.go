package mail

import (
	"math/bits"
	"sync"
)

// Message buffers are reused: a fetch of 300,000 messages would otherwise
// allocate a buffer for each and leave the garbage collector a gigabyte to
// sweep. A buffer returns to the pool once the cache has committed its
// message (Cache.Commit keeps no reference to Raw). Sizes go in quarter
// steps between powers of two (4, 5, 6, 7, 8, 10, ... KiB) from 4 KiB to
// 1 MiB, so a buffer wastes at most a fifth of itself; larger messages are
// rare and get their own.
const (
	minPooledShift = 12 // 4 KiB
	maxPooledShift = 20 // 1 MiB
	classesPerStep = 4
)

var bufPools [(maxPooledShift-minPooledShift+1)*classesPerStep + 1]sync.Pool

// classSize is the buffer size of class c.
func classSize(c int) int {
	shift, quarter := minPooledShift+c/classesPerStep, c%classesPerStep
	return 1<<shift + quarter<<(shift-2)
}

// classFor is the smallest class that holds n bytes, -1 when none does.
func classFor(n int) int {
	if n <= 1<<minPooledShift {
		return 0
	}
	shift := bits.Len(uint(n-1)) - 1 // 1<<shift < n <= 1<<(shift+1)
	if shift >= maxPooledShift {
		return -1
	}
	c := (shift-minPooledShift)*classesPerStep + 1
	for classSize(c) < n {
		c++
	}
	return c
}

// getBuf returns an empty buffer with room for at least n bytes.
func getBuf(n int) []byte {
	c := classFor(n)
	if c < 0 {
		return make([]byte, 0, n)
	}
	if b, ok := bufPools[c].Get().(*[]byte); ok {
		return (*b)[:0]
	}
	return make([]byte, 0, classSize(c))
}

// putBuf gives a buffer back; its contents must no longer be used.
func putBuf(b []byte) {
	n := cap(b)
	if n < 1<<minPooledShift || n > 1<<maxPooledShift {
		return
	}
	c := classFor(n)
	if classSize(c) > n {
		c-- // the largest class it can serve
	}
	b = b[:0]
	bufPools[c].Put(&b)
}
