package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"math/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"popbox/mail/mailtest"
)

// The fetch benchmarks time the real binary (`popbox fetch`) on a Dovecot
// mailbox and, when mpop is installed, mpop on the same mailbox in the same
// run, so the figures can be read as ratios on a noisy machine:
//
//	go test ./cmd/popbox -run '^$' -bench Fetch -benchtime 3x
//
// POPBOX_BENCH_N sets the mailbox size (default 10000; the README gives
// 10k, 100k and 300k), POPBOX_BENCH_SIZE the mean message size (default
// 4096 bytes), and POPBOX_BENCH_RTT a round-trip time in milliseconds added
// by an in-process delay line (the RTT benchmark uses 1000 messages). Each
// iteration starts from an empty store. Reported for both clients: s/fetch
// (wall), us/msg, MiB-rss (peak resident size of the fetching process,
// mapped file pages included), s/second-fetch and MiB-rss-second (an
// immediate fetch with nothing new).

func benchN() int { return envInt("POPBOX_BENCH_N", 10000) }

func benchSize() int { return envInt("POPBOX_BENCH_SIZE", 4096) }

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// corpusEach makes n deterministic messages of about mean bytes, one at a
// time (a mailbox of 300,000 is never held whole): mostly plain text, some
// Japanese UTF-8, some multipart/alternative, some with a base64
// attachment, and a few body lines starting with a dot.
func corpusEach(n, mean int, seed int64, fn func(i int, m []byte)) {
	r := rand.New(rand.NewSource(seed))
	words := strings.Fields("the quick brown fox jumps over a lazy dog while popbox fetches mail over POP3 and keeps every byte exact")
	jp := []string{"こんにちは", "会議", "資料", "確認", "よろしく", "お願いします", "明日", "予定"}
	text := func(size int, ja bool) string {
		var b strings.Builder
		for b.Len() < size {
			line := 0
			for line < 70 {
				var w string
				if ja {
					w = jp[r.Intn(len(jp))]
				} else {
					w = words[r.Intn(len(words))]
				}
				b.WriteString(w)
				b.WriteByte(' ')
				line += len(w) + 1
			}
			if r.Intn(50) == 0 {
				b.WriteString("\r\n.dot line")
			}
			b.WriteString("\r\n")
		}
		return b.String()
	}
	for i := 0; i < n; i++ {
		var msg []byte
		size := mean/2 + r.Intn(mean)
		h := fmt.Sprintf("From: Sender %d <s%d@example.test>\r\nTo: alice@example.test\r\nSubject: [%d] message number %d\r\nDate: %s\r\nMessage-ID: <%d.bench@example.test>\r\nX-Popbox-Bench: %d\r\nMIME-Version: 1.0\r\n",
			i%97, i%97, i, i, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Minute).Format(time.RFC1123Z), i, i)
		switch k := r.Intn(100); {
		case k < 75:
			msg = []byte(h + "Content-Type: text/plain; charset=us-ascii\r\n\r\n" + text(size, false))
		case k < 85:
			msg = []byte(h + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + text(size, true))
		case k < 90:
			t := text(size/2, false)
			msg = []byte(h + "Content-Type: multipart/alternative; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\n" + t +
				"--b1\r\nContent-Type: text/html\r\n\r\n<p>" + t + "</p>\r\n--b1--\r\n")
		default:
			blob := make([]byte, size/2)
			r.Read(blob)
			enc := base64.StdEncoding.EncodeToString(blob)
			var b64 strings.Builder
			for len(enc) > 76 {
				b64.WriteString(enc[:76] + "\r\n")
				enc = enc[76:]
			}
			b64.WriteString(enc + "\r\n")
			msg = []byte(h + "Content-Type: multipart/mixed; boundary=b2\r\n\r\n--b2\r\nContent-Type: text/plain\r\n\r\n" + text(size/4, false) +
				"--b2\r\nContent-Type: application/octet-stream; name=\"data.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64.String() + "--b2--\r\n")
		}
		fn(i, msg)
	}
}

type fetchRun struct {
	wall time.Duration
	rss  float64 // MiB
}

// timed runs cmd and returns its wall time and peak RSS. The peak is the
// process's own VmHWM, polled from /proc: the rusage of a child started by
// a big test process inherits the parent's high-water mark across exec.
func timed(b *testing.B, cmd *exec.Cmd) fetchRun {
	b.Helper()
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &errb
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatalf("%v: %v", cmd.Args, err)
	}
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	done := make(chan struct{})
	peak := make(chan float64, 1)
	go func() {
		var hwm float64
		for {
			if data, err := os.ReadFile(status); err == nil {
				for _, line := range strings.Split(string(data), "\n") {
					if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
						kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
						hwm = max(hwm, kb/1024)
					}
				}
			}
			select {
			case <-done:
				peak <- hwm
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	fr := fetchRun{wall: time.Since(start), rss: <-peak}
	if err != nil {
		b.Fatalf("%v: %v\n%s", cmd.Args, err, errb.String())
	}
	return fr
}

func benchServer(b *testing.B, n int) *mailtest.Server {
	srv := mailtest.Start(b, mailtest.Options{})
	corpusEach(n, benchSize(), 1, func(_ int, m []byte) { srv.File(b, "alice", m) })
	srv.Warm(b, "alice", "secret")
	return srv
}

var (
	buildOnce sync.Once
	builtExe  string
	buildErr  error
)

// builtPopbox is the binary as users get it (go build), not the test
// binary, so RSS and time are the real ones.
func builtPopbox(b *testing.B) string {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "popbox-bench-")
		if err != nil {
			buildErr = err
			return
		}
		builtExe = filepath.Join(dir, "popbox")
		out, err := exec.Command("go", "build", "-o", builtExe, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		b.Fatal(buildErr)
	}
	return builtExe
}

func runPopbox(b *testing.B, srv *mailtest.Server, addr string, port int, n int) {
	exe := builtPopbox(b)
	var first, second, rss, rss2 float64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := newCLI(b, srv)
		c.exe = exe
		c.ok("secret\n", "account", "add", "--name", "bench", "--email", "alice@example.test", "--host", addr,
			"--port", strconv.Itoa(port), "--security", "ssl", "--user", "alice", "--password-stdin", "--no-check")
		exec.Command("sync").Run()
		b.StartTimer()
		r1 := timed(b, c.cmd("", "fetch"))
		b.StopTimer()
		r2 := timed(b, c.cmd("", "fetch"))
		if got := len(c.list("bench")); got != n {
			b.Fatalf("popbox stored %d of %d", got, n)
		}
		first += r1.wall.Seconds()
		second += r2.wall.Seconds()
		rss = max(rss, r1.rss)
		rss2 = max(rss2, r2.rss)
	}
	reportFetch(b, n, first, second, rss, rss2)
}

// reportFetch reports the metrics of runPopbox and runMpop.
func reportFetch(b *testing.B, n int, first, second, rss, rss2 float64) {
	b.ReportMetric(first/float64(b.N), "s/fetch")
	b.ReportMetric(first/float64(b.N)/float64(n)*1e6, "us/msg")
	b.ReportMetric(second/float64(b.N), "s/second-fetch")
	b.ReportMetric(rss, "MiB-rss")
	b.ReportMetric(rss2, "MiB-rss-second")
}

func runMpop(b *testing.B, srv *mailtest.Server, addr string, port int, n int) {
	if _, err := exec.LookPath("mpop"); err != nil {
		b.Skip("mpop is not installed (apt-get install mpop) ; nothing to compare with")
	}
	var first, second, rss, rss2 float64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		for _, d := range []string{"new", "cur", "tmp"} {
			os.MkdirAll(filepath.Join(dir, "Maildir", d), 0o700)
		}
		conf := filepath.Join(dir, "mpoprc")
		os.WriteFile(conf, []byte(fmt.Sprintf("account bench\nhost %s\nport %d\nuser alice\npassword secret\ntls on\ntls_starttls off\ntls_trust_file %s\nkeep on\nonly_new on\nuidls_file %s/uidls\ndelivery maildir %s/Maildir\n",
			addr, port, srv.CAFile, dir, dir)), 0o600)
		exec.Command("sync").Run()
		b.StartTimer()
		r := timed(b, exec.Command("mpop", "-C", conf, "-q", "bench"))
		b.StopTimer()
		r2 := timed(b, exec.Command("mpop", "-C", conf, "-q", "bench"))
		files, _ := os.ReadDir(filepath.Join(dir, "Maildir", "new"))
		if len(files) != n {
			b.Fatalf("mpop delivered %d of %d", len(files), n)
		}
		first += r.wall.Seconds()
		second += r2.wall.Seconds()
		rss = max(rss, r.rss)
		rss2 = max(rss2, r2.rss)
	}
	reportFetch(b, n, first, second, rss, rss2)
}

// BenchmarkFetch: the first fetch of the whole mailbox over POP3S.
func BenchmarkFetch(b *testing.B) {
	n := benchN()
	srv := benchServer(b, n)
	b.Run("popbox", func(b *testing.B) { runPopbox(b, srv, srv.Host, srv.POPSPort, n) })
	b.Run("mpop", func(b *testing.B) { runMpop(b, srv, srv.Host, srv.POPSPort, n) })
}

// BenchmarkFetchRTT: 1000 messages through a delay line of POPBOX_BENCH_RTT
// ms round trip (default 50), where pipelining decides everything.
func BenchmarkFetchRTT(b *testing.B) {
	rtt := 50
	if v, err := strconv.Atoi(os.Getenv("POPBOX_BENCH_RTT")); err == nil && v > 0 {
		rtt = v
	}
	const n = 1000
	srv := benchServer(b, n)
	proxy := delayLine(b, fmt.Sprintf("%s:%d", srv.Host, srv.POPSPort), time.Duration(rtt)*time.Millisecond/2)
	host, portS, _ := net.SplitHostPort(proxy)
	port, _ := strconv.Atoi(portS)
	b.Run("popbox", func(b *testing.B) { runPopbox(b, srv, host, port, n) })
	b.Run("mpop", func(b *testing.B) { runMpop(b, srv, host, port, n) })
}

// BenchmarkFetchLarge: one 50 MiB message; the RSS metric should stay
// under 4x its size.
func BenchmarkFetchLarge(b *testing.B) {
	srv := mailtest.Start(b, mailtest.Options{})
	line := strings.Repeat("0123456789abcdef", 4) + "\r\n"
	body := strings.Repeat(line, 50<<20/len(line))
	srv.Deliver(b, "alice", []byte("From: a@example.test\r\nSubject: large\r\n\r\n"+body))
	b.Run("popbox", func(b *testing.B) { runPopbox(b, srv, srv.Host, srv.POPSPort, 1) })
}

// delayLine forwards TCP to target, holding every chunk for oneWay in each
// direction without limiting bandwidth, so pipelined commands overlap as
// they would on a long link.
func delayLine(b *testing.B, target string, oneWay time.Duration) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	pipe := func(dst, src net.Conn) {
		type chunk struct {
			at   time.Time
			data []byte
		}
		q := make(chan chunk, 4096)
		go func() {
			defer dst.Close()
			for c := range q {
				time.Sleep(time.Until(c.at))
				if _, err := dst.Write(c.data); err != nil {
					return
				}
			}
		}()
		buf := make([]byte, 64<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				q <- chunk{time.Now().Add(oneWay), append([]byte(nil), buf[:n]...)}
			}
			if err != nil {
				close(q)
				return
			}
		}
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			go pipe(s, c)
			go pipe(c, s)
		}
	}()
	return l.Addr().String()
}
