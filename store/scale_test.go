package store

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"popbox/mail"
)

// The scale benchmarks: a mailbox of ordinary mail (about 4 KiB a message:
// mostly English text, some Japanese UTF-8, some multipart, some base64
// attachments), committed in batches as a fetch does, in a fresh child
// process so that its peak RSS (VmHWM, mapped pages of the database
// included) is the commit's alone.
//
//	POPBOX_BENCH_SIZES=10000,100000,300000 go test ./store -run '^$' -bench Scale -benchtime 1x
const (
	scaleEnv      = "POPBOX_TEST_SCALE" // child: "commit DIR N" or "lookup DIR N"
	scaleSizesEnv = "POPBOX_BENCH_SIZES"
	// scaleBatch is the fetch engine's batch: 500 messages or 4 MiB.
	scaleBatch = 500
)

var (
	corpusWords = strings.Fields(`the a of to and in is it that for on with as was at by
this from be have or not are but an they which one you all were her she there
would their we him been has when who will more no if out so said what up its
about into than them can only other new some could time these two may then do
first any my now such like our over man me even most made after also did many
before must through back years where much your way well down should because
each just those people how too little state good very make world still own
see men work long get here between both life being under never day same
another know while last might us great old year off come since against go
came right used take three mailbox server fetch message retention account
inbox folder password delivery queue header body attachment invoice report
meeting schedule project release build test review budget quarter`)
	corpusJa    = strings.Fields(`メール サーバー 受信 送信 設定 確認 会議 資料 予定 添付 ファイル お知らせ よろしく お願い します 本日 明日 来週 報告 請求書 東京 大阪`)
	corpusFirst = []string{"Ann", "Bob", "Chen", "Dana", "Eiko", "Farid", "Grace", "Hiro", "Ines", "Jon", "Kenji", "Lena", "Mio", "Nora", "Omar", "Petra"}
	corpusLast  = []string{"Sato", "Smith", "Tanaka", "Garcia", "Kim", "Novak", "Okafor", "Rossi", "Suzuki", "Weber", "Yamada", "Ivanova"}
)

// corpus makes the same messages for the same seed: sequence numbers from
// 1, dates 7 minutes apart, UIDs as Dovecot's %08Xu%08Xv.
type corpus struct {
	r   *rand.Rand
	seq int
	buf bytes.Buffer
}

func newCorpus(seed uint64) *corpus { return &corpus{r: rand.New(rand.NewPCG(seed, 0x706f70626f78))} }

func (g *corpus) lines(n int, ja bool) {
	start := g.buf.Len()
	for line := 0; g.buf.Len()-start < n; line++ {
		width := 50 + g.r.IntN(26)
		l := 0
		for l < width && line%9 != 8 {
			var w string
			if ja {
				w = corpusJa[g.r.IntN(len(corpusJa))]
			} else {
				w = corpusWords[g.r.IntN(len(corpusWords))]
				if l > 0 {
					g.buf.WriteByte(' ')
					l++
				}
			}
			g.buf.WriteString(w)
			l += len(w)
		}
		g.buf.WriteString("\r\n")
	}
}

// next returns the next message; its Raw is its own.
func (g *corpus) next() mail.NewMessage {
	g.seq++
	seq := g.seq
	g.buf.Reset()
	target := int(4096 * math.Exp(g.r.NormFloat64()*0.5) * 0.85)
	kind := g.r.IntN(20) // 0-1 attachment, 2 alternative, 3-4 Japanese, else plain
	if kind < 2 {
		target *= 3
	}
	target = max(target, 700)
	first, last := corpusFirst[g.r.IntN(len(corpusFirst))], corpusLast[g.r.IntN(len(corpusLast))]
	name, addr := first+" "+last, strings.ToLower(first+"."+last)+"@example.test"
	date := time.Date(2024, 1, 8, 9, 0, 0, 0, time.UTC).Add(time.Duration(seq)*7*time.Minute + time.Duration(g.r.IntN(60))*time.Second)
	id := g.r.Uint64()
	var subject strings.Builder
	for i := range 3 + g.r.IntN(6) {
		if i > 0 {
			subject.WriteByte(' ')
		}
		subject.WriteString(corpusWords[g.r.IntN(len(corpusWords))])
	}
	subj := fmt.Sprintf("[%d] %s", seq, subject.String())
	fmt.Fprintf(&g.buf, "Return-Path: <%s>\r\nReceived: from mx%d.example.test by pop.example.test with ESMTPS id %016x\r\n\tfor <alice@example.test>; %s\r\n",
		addr, seq%7, id, date.Format(time.RFC1123Z))
	fmt.Fprintf(&g.buf, "Date: %s\r\nFrom: \"%s\" <%s>\r\nTo: Alice Example <alice@example.test>\r\nSubject: %s\r\nMessage-ID: <%d.%016x@bench.popbox.test>\r\nMIME-Version: 1.0\r\n",
		date.Format(time.RFC1123Z), name, addr, subj, seq, id)
	left := func() int { return target - g.buf.Len() }
	switch {
	case kind < 2:
		bnd := fmt.Sprintf("mix-%016x", id)
		fmt.Fprintf(&g.buf, "Content-Type: multipart/mixed; boundary=%q\r\n\r\n--%s\r\nContent-Type: text/plain\r\n\r\n", bnd, bnd)
		g.lines(300+g.r.IntN(900), false)
		fmt.Fprintf(&g.buf, "--%s\r\nContent-Type: application/pdf; name=\"r%d.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", bnd, seq)
		data := make([]byte, max(100, left()*3/4*76/78))
		for i := range data {
			data[i] = byte(g.r.Uint32())
		}
		enc := base64.StdEncoding.EncodeToString(data)
		for len(enc) > 76 {
			g.buf.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		fmt.Fprintf(&g.buf, "%s\r\n--%s--\r\n", enc, bnd)
	case kind == 2:
		bnd := fmt.Sprintf("alt-%016x", id)
		fmt.Fprintf(&g.buf, "Content-Type: multipart/alternative; boundary=%q\r\n\r\n--%s\r\nContent-Type: text/plain\r\n\r\n", bnd, bnd)
		g.lines(left()/2, false)
		fmt.Fprintf(&g.buf, "--%s\r\nContent-Type: text/html\r\n\r\n<html><body><p>\r\n", bnd)
		g.lines(left()-60, false)
		fmt.Fprintf(&g.buf, "</p></body></html>\r\n--%s--\r\n", bnd)
	case kind < 5:
		g.buf.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
		g.lines(left(), true)
	default:
		g.buf.WriteString("Content-Type: text/plain; charset=us-ascii\r\n\r\n")
		g.lines(left(), false)
	}
	raw := bytes.Clone(g.buf.Bytes())
	return mail.NewMessage{
		UID: fmt.Sprintf("%08X%08X", seq, 0x65a0c000),
		Raw: raw,
		Summary: mail.Summary{
			From:        mail.Address{Name: name, Address: addr},
			To:          []mail.Address{{Name: "Alice Example", Address: "alice@example.test"}},
			Subject:     subj,
			Date:        date,
			MessageID:   fmt.Sprintf("%d.%016x@bench.popbox.test", seq, id),
			Size:        int64(len(raw)),
			Attachments: kind < 2,
			Preview:     "the a of to and in is it that for on with as was at by this from be have or not are but an they which one you all",
		},
		Digest: sha256.Sum256(raw),
	}
}

// scaleChild is the child of the scale benchmarks. "commit DIR N" commits
// N corpus messages to a new database in DIR and prints
// "commit N raw R db D us U first F last L peak P": raw and database
// bytes, µs per message over all, the first and the last tenth, peak RSS.
// "lookup DIR N" opens that database again and looks up all N UIDs, 5000
// a call as the fetch engine does, and prints "lookup N ms M peak P".
// "upgrade DIR N" opens a schema 2 database there (see BenchmarkUpgrade).
// With $POPBOX_TEST_SCALE_CPUPROFILE set it writes a CPU profile there.
func scaleChild(arg string) int {
	f := strings.Fields(arg)
	if len(f) != 3 {
		fmt.Println("error: bad", scaleEnv)
		return 1
	}
	n, err := strconv.Atoi(f[2])
	if prof := os.Getenv(scaleEnv + "_CPUPROFILE"); prof != "" && err == nil {
		out, perr := os.Create(prof)
		if perr == nil {
			_ = pprof.StartCPUProfile(out)
			defer pprof.StopCPUProfile()
		}
	}
	if err == nil {
		path := filepath.Join(f[1], "popbox.db")
		switch f[0] {
		case "commit":
			err = scaleCommit(path, n)
		case "lookup":
			err = scaleLookup(path, n)
		case "upgrade":
			err = upgradeChild(path)
		default:
			err = fmt.Errorf("unknown mode %q", f[0])
		}
	}
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	return 0
}

func scaleCommit(path string, n int) error {
	s, err := Open(path, testOptions(path))
	if err != nil {
		return err
	}
	a, err := s.AddAccount(testAccount("Scale"))
	if err != nil {
		return err
	}
	g := newCorpus(1)
	var raw int64
	var total, first, last time.Duration
	tenth := max(n/10, 1)
	for done := 0; done < n; {
		batch := make([]mail.NewMessage, 0, scaleBatch)
		for len(batch) < scaleBatch && done+len(batch) < n {
			m := g.next()
			raw += int64(len(m.Raw))
			batch = append(batch, m)
		}
		start := time.Now()
		if _, err := s.Commit(a.ID, batch); err != nil {
			return err
		}
		d := time.Since(start)
		total += d
		if done < tenth {
			first += d
		}
		if done+len(batch) > n-tenth {
			last += d
		}
		done += len(batch)
	}
	if err := s.Close(); err != nil {
		return err
	}
	peak, err := vmHWM()
	if err != nil {
		return err
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	us := func(d time.Duration, k int) float64 { return float64(d.Microseconds()) / float64(k) }
	fmt.Printf("commit %d raw %d db %d us %.1f first %.1f last %.1f peak %d\n",
		n, raw, info.Size(), us(total, n), us(first, tenth), us(last, tenth), peak)
	return nil
}

func scaleLookup(path string, n int) error {
	s, err := Open(path, testOptions(path))
	if err != nil {
		return err
	}
	defer s.Close()
	a, err := s.Active()
	if err != nil {
		return err
	}
	uids := make([]string, 0, 5000)
	found := 0
	start := time.Now()
	for i := 1; i <= n; i++ {
		uids = append(uids, fmt.Sprintf("%08X%08X", i, 0x65a0c000))
		if len(uids) == cap(uids) || i == n {
			if err := s.LookupUIDs(a.ID, uids, func(_ int, _ mail.UIDRecord, ok bool) {
				if ok {
					found++
				}
			}); err != nil {
				return err
			}
			uids = uids[:0]
		}
	}
	d := time.Since(start)
	if found != n {
		return fmt.Errorf("found %d of %d UIDs", found, n)
	}
	peak, err := vmHWM()
	if err != nil {
		return err
	}
	fmt.Printf("lookup %d ms %.1f peak %d\n", n, float64(d.Microseconds())/1000, peak)
	return nil
}

// runScaleChild runs the child with arg and returns its line of figures.
func runScaleChild(tb testing.TB, arg, prefix string) string {
	tb.Helper()
	self, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run=^$")
	cmd.Env = append(os.Environ(), scaleEnv+"="+arg)
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("child %s: %v\n%s", arg, err, out)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), prefix+" ") {
			return sc.Text()
		}
	}
	tb.Fatalf("child %s said:\n%s", arg, out)
	return ""
}

// scaleSizes is $POPBOX_BENCH_SIZES, default 5000: small, so that
// go test -bench . stays quick.
func scaleSizes(tb testing.TB) []int {
	v := os.Getenv(scaleSizesEnv)
	if v == "" {
		return []int{5000}
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			tb.Fatalf("%s: %q is not a size", scaleSizesEnv, f)
		}
		out = append(out, n)
	}
	return out
}

// BenchmarkScale commits a corpus mailbox of each size in
// $POPBOX_BENCH_SIZES in batches of 500, in a fresh process, then looks
// up all its UIDs in another fresh process (a second fetch with nothing
// new). Metrics: µs per committed message (over all, and in the first and
// last tenth, whose ratio shows whether the cost grows with the mailbox),
// the database size as a multiple of the raw bytes, the peak RSS of each
// process (mapped pages of the database included), and the time of the
// lookups.
//
// Measured on the 2-core development machine (before: schema 2 at
// 0c39682; after: schema 3):
//
//	size     us/msg all (first/last tenth)   db/raw       commit peak    lookup, its peak
//	10,000   21.5 (19.1/24.1) -> 33.1 (33.8/32.5)  1.85 -> 1.12  36 -> 27 MiB   15 -> 3 ms, 17 -> 10 MiB
//	100,000  31.5 (22.5/35.9) -> 30.5 (30.7/30.0)  1.51 -> 0.99  179 -> 30 MiB  137 -> 27 ms, 116 -> 15 MiB
//	300,000  36.8 (25.2/54.0) -> 33.2 (31.4/30.8)  1.49 -> 0.97  273 -> 37 MiB  469 -> 74 ms, 328 -> 16 MiB
//
// Most of a commit is now zstd (about 20 us of CPU a message, on two
// cores); JSON of the summary records costs 1.7 us a message, 2 % of the
// CPU, so they stay JSON.
func BenchmarkScale(b *testing.B) {
	if raceEnabled {
		b.Skip("the race detector's shadow memory makes RSS meaningless")
	}
	for _, n := range scaleSizes(b) {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			var c struct {
				n, raw, db, peak     int64
				us, first, last      float64
				lookN, lookPeak      int64
				lookMS               float64
				commitLine, lookLine string
			}
			for b.Loop() {
				dir := b.TempDir()
				c.commitLine = runScaleChild(b, fmt.Sprintf("commit %s %d", dir, n), "commit")
				if _, err := fmt.Sscanf(c.commitLine, "commit %d raw %d db %d us %g first %g last %g peak %d",
					&c.n, &c.raw, &c.db, &c.us, &c.first, &c.last, &c.peak); err != nil {
					b.Fatalf("%q: %v", c.commitLine, err)
				}
				c.lookLine = runScaleChild(b, fmt.Sprintf("lookup %s %d", dir, n), "lookup")
				if _, err := fmt.Sscanf(c.lookLine, "lookup %d ms %g peak %d", &c.lookN, &c.lookMS, &c.lookPeak); err != nil {
					b.Fatalf("%q: %v", c.lookLine, err)
				}
				runtime.GC()
			}
			b.ReportMetric(c.us, "us/msg")
			b.ReportMetric(c.first, "us/msg-first10%")
			b.ReportMetric(c.last, "us/msg-last10%")
			b.ReportMetric(float64(c.db)/float64(c.raw), "db/raw")
			b.ReportMetric(float64(c.peak)/(1<<20), "commit-peak-MiB")
			b.ReportMetric(c.lookMS, "lookup-ms")
			b.ReportMetric(float64(c.lookPeak)/(1<<20), "lookup-peak-MiB")
		})
	}
}

// BenchmarkZstdLevels compresses corpus messages one by one, as Commit
// does, at each level zstd offers: MB/s of raw bytes and the ratio of
// compressed to raw bytes. It chose zstdLevel.
func BenchmarkZstdLevels(b *testing.B) {
	g := newCorpus(1)
	msgs := make([][]byte, 2000)
	var raw int64
	for i := range msgs {
		msgs[i] = g.next().Raw
		raw += int64(len(msgs[i]))
	}
	for _, level := range []zstd.EncoderLevel{zstd.SpeedFastest, zstd.SpeedDefault, zstd.SpeedBetterCompression} {
		b.Run(level.String(), func(b *testing.B) {
			e, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(level), zstd.WithEncoderConcurrency(1),
				zstd.WithEncoderCRC(false), zstd.WithLowerEncoderMem(true))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(raw)
			var packed int64
			for b.Loop() {
				packed = 0
				for _, m := range msgs {
					packed += int64(len(e.EncodeAll(m, nil)))
				}
			}
			b.ReportMetric(float64(packed)/float64(raw), "ratio")
		})
	}
}
