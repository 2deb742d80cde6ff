package mail

import "testing"

func TestBufPool(t *testing.T) {
	for _, n := range []int{0, 1, 4096, 4097, 5000, 5120, 5121, 8192, 100_000, 1 << 20, 1<<20 + 1, 5 << 20} {
		b := getBuf(n)
		if len(b) != 0 || cap(b) < n {
			t.Errorf("getBuf(%d): len %d cap %d", n, len(b), cap(b))
		}
		if n > 4096 && n <= 1<<20 && cap(b) > n+n/4+1 {
			t.Errorf("getBuf(%d): cap %d wastes more than a quarter", n, cap(b))
		}
		b = append(b, 'x')
		putBuf(b)
		if c := getBuf(n); cap(c) < n || len(c) != 0 {
			t.Errorf("after putBuf, getBuf(%d): len %d cap %d", n, len(c), cap(c))
		}
	}
	// A buffer grown by append to an odd size serves smaller requests only.
	odd := make([]byte, 0, 6000)
	putBuf(odd)
	for i := 0; i < 10; i++ {
		if b := getBuf(6000); cap(b) < 6000 {
			t.Fatalf("getBuf(6000) = cap %d", cap(b))
		}
	}
}
