package mail

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"popbox/mail/mailtest"
)

// benchMessage is a message of about size bytes: headers, text lines of
// varied length, now and then a line starting with a dot.
func benchMessage(i, size int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: Sender %d <sender%d@example.test>\nTo: alice@example.test\nSubject: Benchmark message %d\n"+
		"Date: Mon, 08 Jan 2024 09:%02d:00 +0000\nMessage-ID: <bench-%d@popbox.test>\nMIME-Version: 1.0\n"+
		"Content-Type: text/plain; charset=utf-8\nX-Popbox-Bench: %d\n\n", i, i%97, i, i%60, i, i)
	words := []string{"mail", "server", "fetch", "the", "popbox", "message", "line", "of", "text", "quarterly", "report"}
	for n := 0; b.Len() < size; n++ {
		if n%37 == 0 {
			b.WriteString(".")
		}
		for w := 0; w < 3+(n*7+i)%12; w++ {
			b.WriteString(words[(n+w+i)%len(words)])
			b.WriteByte(' ')
		}
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// cpuTime is the user and system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSync1000 fetches 1,000 messages of about 8 KiB from Dovecot over
// POP3S into the in-memory cache, each run into an empty cache. It reports
// the client's CPU time per fetch (Dovecot runs in its own processes).
// POPBOX_BENCH_N changes the number of messages (10000 for the 10k target).
func BenchmarkSync1000(b *testing.B) {
	n := 1000
	if v, err := strconv.Atoi(os.Getenv("POPBOX_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	srv := mailtest.Start(b, mailtest.Options{})
	var total int64
	for i := 0; i < n; i++ {
		m := benchMessage(i, 8<<10)
		total += int64(len(m))
		srv.Deliver(b, "alice", m)
	}
	acct := dovecotAccount(srv, "alice", "secret", SecuritySSL)
	conf, err := TLSConfig(acct)
	if err != nil {
		b.Fatal(err)
	}
	opts := SyncOptions{TLSConfig: conf}
	// One fetch first, so Dovecot's index is built outside the timing.
	if res, err := Sync(context.Background(), acct, newMemCache(), opts, nil); err != nil || res.New != n {
		b.Fatalf("warm-up: %+v, %v", res, err)
	}
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		res, err := Sync(context.Background(), acct, newMemCache(), opts, nil)
		if err != nil || res.New != n {
			b.Fatalf("%+v, %v", res, err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
}
