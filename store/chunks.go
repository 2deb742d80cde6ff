package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"runtime"

	bolt "go.etcd.io/bbolt"

	"popbox/mail"
)

// Large messages. At commit bbolt copies every value it writes into page
// buffers it allocates then (tx.allocate: make([]byte, n*pageSize) for a
// value over a page), so one transaction holding a 200 MiB message costs
// another 200 MiB on top of the message the fetch engine holds: 2.05 times
// its size at the peak. Commit therefore writes the raw bytes of a message
// over largeRaw as chunks of rawChunk bytes, each in a write transaction of
// its own, before the batch's transaction; a chunk's page buffer is garbage
// as soon as its transaction has committed. The batch's transaction then
// writes the record (Layout "zstd-chunks"), the UID record, the index, digest and
// ID entries as for any message, so the message becomes visible only there,
// together with its UID record.
//
// Each chunk is a bucket of its own (chunks/<ID><index> -> one value):
// bbolt writes a leaf whole when one of its keys changes, and a leaf keeps
// up to four values however big they are, so chunks side by side in one
// bucket would be read back from the file and copied again by each later
// chunk's transaction.
//
// Each chunk is one zstd frame (compress.go), so a chunk is decoded on its
// own and a read never holds more than the message and one chunk.
//
// A crash between the chunk transactions and the batch's leaves chunks that
// no record points at. The first chunk transaction registers the message ID
// in the pending bucket, the batch's transaction removes it with the record
// written; cleanPending removes the chunks of every ID still registered that
// no Commit of this Store is writing, at Open and before a Commit writes
// chunks. A Commit that fails removes its own at once.

const (
	// largeRaw is the size over which raw bytes are written in chunks.
	// Under it bbolt's extra copy is at most 8 MiB, twice a fetch batch,
	// and one value keeps a read of ordinary mail (a few KiB) to one Get;
	// over it the copy grows with the message.
	largeRaw = 8 << 20
	// rawChunk is the size of a chunk: what one chunk transaction adds to
	// the heap (rounded up to pages), and a 200 MiB message takes 50 of
	// them, each with bbolt's two fsyncs.
	rawChunk = 4 << 20
)

// Values of msgRecord.Layout.
const (
	// layoutZstd: one zstd frame under the message ID in raw (schema 3).
	layoutZstd = "zstd"
	// layoutZstdChunks: a zstd frame in each chunk bucket (schema 3).
	layoutZstdChunks = "zstd-chunks"
	// layoutPlain: the plain bytes under the msg key in raw (schemas 1
	// and 2); read by the upgrade and repair only.
	layoutPlain = ""
	// layoutChunks: plain chunks (schema 2); read by the upgrade and
	// repair only.
	layoutChunks = "chunks"
)

// chunkValueKey is the key of the one value in a chunk bucket.
var chunkValueKey = []byte{0}

// chunkKey names chunk i of global message ID gid (8 bytes).
func chunkKey(gid []byte, i int) []byte {
	k := make([]byte, 12)
	copy(k, gid)
	binary.BigEndian.PutUint32(k[8:], uint32(i))
	return k
}

// putChunk writes chunk i of message gid into chunks.
func putChunk(chunks *bolt.Bucket, gid []byte, i int, part []byte) error {
	if chunks == nil {
		return fmt.Errorf("no bucket %s", bucketChunks)
	}
	b, err := chunks.CreateBucket(chunkKey(gid, i))
	if err != nil {
		return fmt.Errorf("chunk %d of message %d: %w", i, binary.BigEndian.Uint64(gid), err)
	}
	return b.Put(chunkValueKey, part)
}

// chunkedRaw is a message whose chunks have been written: its global ID,
// already taken from next_message, and how many chunks it has.
type chunkedRaw struct {
	gid uint64
	n   int
}

// readChunks returns the n chunks of message gid as they lie in the
// database (valid until the transaction ends), or which one is missing.
func readChunks(chunks *bolt.Bucket, gid []byte, n int) (parts [][]byte, missing int) {
	parts = make([][]byte, n)
	for i := range parts {
		b := chunks.Bucket(chunkKey(gid, i))
		if b == nil {
			return nil, i
		}
		if parts[i] = b.Get(chunkValueKey); parts[i] == nil {
			return nil, i
		}
	}
	return parts, -1
}

// removeChunks deletes every chunk of message gid; chunks may be nil (an
// account without the bucket).
func removeChunks(chunks *bolt.Bucket, gid []byte) error {
	if chunks == nil {
		return nil
	}
	var keys [][]byte
	c := chunks.Cursor()
	for k, _ := c.Seek(gid); k != nil && bytes.HasPrefix(k, gid); k, _ = c.Next() {
		keys = append(keys, copyBytes(k))
	}
	for _, k := range keys {
		if err := chunks.DeleteBucket(k); err != nil {
			return fmt.Errorf("remove chunk %x: %w", k, err)
		}
	}
	return nil
}

// writeChunks writes, before the batch's transaction, the chunks of each
// message of batch over largeRaw that the batch will store: not those whose
// UID is already stored (the batch fails) or whose digest is, in the
// account or earlier in the batch (they are duplicates). It returns them by
// index in batch; the caller passes the result to dropChunks when the batch
// fails, and to doneChunks in any case.
func (s *Store) writeChunks(accountID string, batch []mail.NewMessage) (map[int]chunkedRaw, error) {
	var big []int
	for i := range batch {
		if len(batch[i].Raw) > largeRaw {
			big = append(big, i)
		}
	}
	if len(big) == 0 {
		return nil, nil
	}
	if err := s.cleanPending(); err != nil {
		return nil, err
	}
	skip := map[int]bool{}
	err := s.view(func(tx *bolt.Tx) error {
		a, err := openAcct(tx, accountID)
		if err != nil {
			return err
		}
		seen := map[[32]byte]bool{}
		for _, i := range big {
			m := &batch[i]
			d := digestOf(m)
			if m.UID == "" || a.uids.Get([]byte(m.UID)) != nil || a.digest.Get(digestKey(m.Summary, d[:])) != nil || seen[d] {
				skip[i] = true
			}
			seen[d] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := map[int]chunkedRaw{}
	for _, i := range big {
		if skip[i] {
			continue
		}
		c, err := s.writeRawChunks(accountID, batch[i].Raw)
		if c.gid != 0 {
			out[i] = c
		}
		if err != nil {
			s.dropChunks(out)
			return nil, err
		}
	}
	return out, nil
}

// digestOf is the message's SHA-256, computed when the fetch engine left
// it out.
func digestOf(m *mail.NewMessage) [32]byte {
	if m.Digest == ([32]byte{}) {
		return sha256.Sum256(m.Raw)
	}
	return m.Digest
}

// writeRawChunks writes raw as chunks of a new message of the account, each
// compressed on its own and in a transaction of its own, the first also taking the message ID and
// registering it in pending. The ID stays in s.inflight until doneChunks.
func (s *Store) writeRawChunks(accountID string, raw []byte) (chunkedRaw, error) {
	var c chunkedRaw
	enc := newChunkEncoder()
	defer enc.close()
	for off := 0; off < len(raw); off += rawChunk {
		part := enc.compress(raw[off:min(off+rawChunk, len(raw))])
		first := c.gid == 0
		if first {
			// cleanPending must not take this ID for a leftover between
			// the transaction that registers it and its entry in inflight.
			s.pendingMu.Lock()
		}
		var gid uint64
		err := s.update(func(tx *bolt.Tx) error {
			a, err := openAcct(tx, accountID)
			if err != nil {
				return err
			}
			gid = c.gid
			if first {
				if gid, err = nextCounter(tx, keyNextMessage); err != nil {
					return err
				}
				if err := tx.Bucket(bucketPending).Put(u64(gid), a.key); err != nil {
					return fmt.Errorf("register message %d: %w", gid, err)
				}
			}
			// part goes to bbolt as is; it copies it into the page buffer
			// at commit, which is the one copy this transaction costs,
			// and enc reuses part's memory only after that.
			return putChunk(a.chunks, u64(gid), c.n, part)
		})
		if first {
			if err == nil {
				c.gid = gid
				s.inflight[gid] = true
			}
			s.pendingMu.Unlock()
		}
		if err != nil {
			return c, fmt.Errorf("write chunk %d: %w", c.n, err)
		}
		c.n++
		// The chunk's page buffer is garbage now; with the message itself
		// live, the heap goal is twice its size, so without a collection
		// here the buffers of every chunk would pile up to that before the
		// first one is reused (measured for 200 MiB: a peak of 2.03 times
		// its size without, 1.07 with).
		runtime.GC()
	}
	return c, nil
}

// doneChunks takes the messages of a finished Commit out of s.inflight.
func (s *Store) doneChunks(chunked map[int]chunkedRaw) {
	if len(chunked) == 0 {
		return
	}
	s.pendingMu.Lock()
	defer s.pendingMu.Unlock()
	for _, c := range chunked {
		delete(s.inflight, c.gid)
	}
}

// dropChunks removes the chunks and pending entries of a Commit that
// failed. When that fails too, they stay registered for cleanPending.
func (s *Store) dropChunks(chunked map[int]chunkedRaw) {
	if len(chunked) == 0 {
		return
	}
	_ = s.update(func(tx *bolt.Tx) error {
		for _, c := range chunked {
			if err := dropPending(tx, u64(c.gid)); err != nil {
				return err
			}
		}
		return nil
	})
	s.doneChunks(chunked)
}

// dropPending removes the chunks of the message registered under gid in
// pending, and the registration.
func dropPending(tx *bolt.Tx, gid []byte) error {
	pending := tx.Bucket(bucketPending)
	acctKey := pending.Get(gid)
	if acctKey == nil {
		return nil
	}
	if root := tx.Bucket(bucketAcct).Bucket(acctKey); root != nil {
		if err := removeChunks(root.Bucket(bucketChunks), gid); err != nil {
			return err
		}
	}
	return pending.Delete(gid)
}

// cleanPending removes the chunks of every message registered in pending
// that no Commit of this Store is writing: leftovers of a crash, or of a
// Commit whose own clean-up failed.
func (s *Store) cleanPending() error {
	s.pendingMu.Lock()
	defer s.pendingMu.Unlock()
	var stale [][]byte
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPending).ForEach(func(k, _ []byte) error {
			if len(k) != 8 || !s.inflight[binary.BigEndian.Uint64(k)] {
				stale = append(stale, copyBytes(k))
			}
			return nil
		})
	})
	if err != nil || len(stale) == 0 {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		for _, gid := range stale {
			if err := dropPending(tx, gid); err != nil {
				return fmt.Errorf("remove the chunks of an unfinished commit: %w", err)
			}
		}
		return nil
	})
}
