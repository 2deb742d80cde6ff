package store

import (
	"encoding/binary"
	"hash/fnv"
	"io"
)

// boltHeader is what a valid bbolt meta page says about its file (bbolt
// v1.5.0, internal/common/meta.go: after the 16-byte page header come
// magic, version and page size (uint32 each), flags (uint32), the root
// bucket (root page uint64, sequence uint64), the freelist page, the
// high-water page ID pgid, the transaction ID (uint64 each) and an FNV-64a
// checksum of all that, in the machine's byte order).
type boltHeader struct {
	pageSize uint32
	root     uint64
	freelist uint64
	pgid     uint64 // pages 0 .. pgid-1 are in use: the file holds at least pgid pages
	txid     uint64
}

// size is how many bytes of the file bbolt uses.
func (h boltHeader) size() int64 { return int64(h.pgid) * int64(h.pageSize) }

// parseMeta reads the meta in page; ok only when its magic, version and
// checksum are right, as bbolt's Meta.Validate asks.
func parseMeta(page []byte) (boltHeader, bool) {
	if len(page) < boltPageHeaderSize+64 {
		return boltHeader{}, false
	}
	m := page[boltPageHeaderSize : boltPageHeaderSize+64]
	ne := binary.NativeEndian
	if ne.Uint32(m[0:4]) != boltMagic || ne.Uint32(m[4:8]) != boltVersion {
		return boltHeader{}, false
	}
	sum := fnv.New64a()
	sum.Write(m[:56])
	if sum.Sum64() != ne.Uint64(m[56:64]) {
		return boltHeader{}, false
	}
	h := boltHeader{
		pageSize: ne.Uint32(m[8:12]),
		root:     ne.Uint64(m[16:24]),
		freelist: ne.Uint64(m[32:40]),
		pgid:     ne.Uint64(m[40:48]),
		txid:     ne.Uint64(m[48:56]),
	}
	if h.pageSize < 1024 || h.pageSize&(h.pageSize-1) != 0 {
		return boltHeader{}, false
	}
	return h, true
}

// readHeader finds the meta bbolt would use in a file of size bytes: the
// page size from meta page 0, or when that page is torn from meta page 1,
// found by trying page sizes from 1 KiB up (bbolt's getPageSize); then of
// the two meta pages the valid one with the higher transaction ID (bbolt's
// DB.meta). ok is false when neither is valid.
func readHeader(r io.ReaderAt, size int64) (h boltHeader, ok bool) {
	buf := make([]byte, 0x1000)
	read := func(pos int64) []byte {
		n, err := r.ReadAt(buf, pos)
		if err != nil && err != io.EOF {
			return nil
		}
		return buf[:n]
	}
	var metas []boltHeader
	pageSize := int64(0)
	if m, ok := parseMeta(read(0)); ok {
		metas = append(metas, m)
		pageSize = int64(m.pageSize)
	} else {
		for i := 0; i <= 14; i++ {
			pos := int64(1024) << i
			if pos >= size-1024 {
				break
			}
			if m, ok := parseMeta(read(pos)); ok {
				pageSize = int64(m.pageSize)
				break
			}
		}
	}
	if pageSize == 0 {
		return boltHeader{}, false
	}
	if m, ok := parseMeta(read(pageSize)); ok {
		metas = append(metas, m)
	}
	for i, m := range metas {
		if i == 0 || m.txid > h.txid {
			h = m
		}
	}
	return h, len(metas) > 0
}
