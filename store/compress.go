package store

import (
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Raw bytes are stored zstd-compressed (schema 3): ordinary mail is text
// and shrinks to about a third, so a 4 KiB message no longer takes two 4
// KiB pages. The level is zstd's fastest: on a corpus of ordinary 4 KiB
// mail, a quarter of its bytes base64 attachments (BenchmarkZstdLevels),
// it gave a ratio of 0.54 at 199 MB/s on one core, SpeedDefault 0.51 at
// 139 MB/s, SpeedBetterCompression 0.51 at 110 MB/s: 5% less space is not
// worth a commit 40% slower. The frames carry no checksum of
// their own: the SHA-256 of the original bytes is checked on every read.

// zstdLevel is the encoder level of the raw bytes.
const zstdLevel = zstd.SpeedFastest

// maxDecoded bounds what one frame may decode to: a single value holds at
// most largeRaw bytes and a chunk rawChunk, so a damaged frame that claims
// more is refused before memory is taken for it.
const maxDecoded = largeRaw

// compressWorkers is how many goroutines compress a batch.
var compressWorkers = min(runtime.GOMAXPROCS(0), 4)

var (
	encoders = sync.Pool{New: func() any {
		e, err := zstd.NewWriter(nil,
			zstd.WithEncoderLevel(zstdLevel),
			zstd.WithEncoderConcurrency(1),
			zstd.WithEncoderCRC(false),
			zstd.WithLowerEncoderMem(true))
		if err != nil {
			panic(err) // only for invalid options
		}
		return e
	}}
	decoders = sync.Pool{New: func() any {
		d, err := zstd.NewReader(nil,
			zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderMaxMemory(maxDecoded),
			zstd.WithDecoderMaxWindow(maxDecoded),
			zstd.IgnoreChecksum(true))
		if err != nil {
			panic(err) // only for invalid options
		}
		return d
	}}
)

// compress returns raw as one zstd frame, in a new slice.
func compress(raw []byte) []byte {
	e := encoders.Get().(*zstd.Encoder)
	defer encoders.Put(e)
	return e.EncodeAll(raw, make([]byte, 0, len(raw)/2+64))
}

// chunkEncoder compresses the chunks of one large message, one after the
// other, with one encoder and into one buffer. A chunk's frame is valid
// until the next call: each chunk is written in a transaction that ends
// (bbolt copying the frame into its page buffer) before the next one is
// compressed. Holding the encoder for the whole message matters because
// the chunk loops collect garbage after every chunk, which empties the
// encoders pool: a fresh encoder a chunk allocated its history again.
type chunkEncoder struct {
	e   *zstd.Encoder
	buf []byte
}

func newChunkEncoder() *chunkEncoder {
	return &chunkEncoder{e: encoders.Get().(*zstd.Encoder)}
}

// compress returns raw as one zstd frame, valid until the next call.
func (c *chunkEncoder) compress(raw []byte) []byte {
	c.buf = c.e.EncodeAll(raw, c.buf[:0])
	return c.buf
}

// close gives the encoder back to the pool.
func (c *chunkEncoder) close() { encoders.Put(c.e) }

// errFrame is a frame that does not decode: damage.
var errFrame = errors.New("compressed bytes do not decode")

// decompress decodes one frame made by compress, appending to dst.
func decompress(dst, frame []byte) ([]byte, error) {
	d := decoders.Get().(*zstd.Decoder)
	defer decoders.Put(d)
	// The decoder counts what dst already holds against maxDecoded, so
	// it is given only the free room after dst: the chunks of a large
	// message are decoded one after the other into one buffer.
	tail := dst[len(dst):]
	out, err := d.DecodeAll(frame, tail)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errFrame, err)
	}
	if len(out) > 0 && cap(tail) > 0 && &out[0] == &tail[:1][0] {
		return dst[:len(dst)+len(out)], nil
	}
	return append(dst, out...), nil
}

// compressAll compresses raw(i) for every i in 0..n-1 for which want(i),
// on a few goroutines, and returns the frames by index (nil where not
// wanted).
func compressAll(n int, raw func(i int) []byte, want func(i int) bool) [][]byte {
	out := make([][]byte, n)
	workers := min(compressWorkers, n)
	if workers <= 1 {
		for i := range n {
			if want(i) {
				out[i] = compress(raw(i))
			}
		}
		return out
	}
	var (
		wg   sync.WaitGroup
		next = make(chan int, n)
	)
	for i := range n {
		if want(i) {
			next <- i
		}
	}
	close(next)
	for range workers {
		wg.Go(func() {
			for i := range next {
				out[i] = compress(raw(i))
			}
		})
	}
	wg.Wait()
	return out
}
