package store

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"popbox/mail"
)

// hugeEnv makes the test binary a child that commits one huge message to a
// new database in the folder it names and prints its peak RSS (see
// hugeCommit): a fresh process, so that no earlier test has raised VmHWM.
const (
	hugeEnv     = "POPBOX_TEST_HUGE_COMMIT"
	hugeSizeEnv = "POPBOX_TEST_HUGE_SIZE"
)

// vmHWM is the process's peak resident set size, from /proc/self/status.
func vmHWM() (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}

// hugeRaw is a message of n bytes, every page of it written, as the fetch
// engine holds one.
func hugeRaw(n int) []byte {
	raw := make([]byte, n)
	head := "From: Taro <taro@example.com>\r\nSubject: the scans\r\n\r\n"
	copy(raw, head)
	line := []byte("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n")
	for i := len(head); i < n; i += len(line) {
		copy(raw[i:], line)
	}
	return raw
}

// hugeCommit is the child: it commits one message of $POPBOX_TEST_HUGE_SIZE
// bytes (default 200 MiB) and prints "size N base B peak P": the message
// size, VmHWM with the message in memory before the commit, and after it.
func hugeCommit(dir string) int {
	size := 200 << 20
	if v := os.Getenv(hugeSizeEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			fmt.Println("error:", err)
			return 1
		}
		size = n
	}
	path := filepath.Join(dir, "popbox.db")
	s, err := Open(path, testOptions(path))
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	a, err := s.AddAccount(testAccount("Big"))
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	raw := hugeRaw(size)
	m := mail.NewMessage{UID: "huge", Raw: raw, Summary: mail.Summary{Subject: "the scans", Date: time.Now(), Size: int64(size)}, Digest: sha256.Sum256(raw), FirstSeen: time.Now()}
	runtime.GC()
	base, err := vmHWM()
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	if _, err := s.Commit(a.ID, []mail.NewMessage{m}); err != nil {
		fmt.Println("error:", err)
		return 1
	}
	peak, err := vmHWM()
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	runtime.KeepAlive(raw)
	if err := s.Close(); err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Printf("size %d base %d peak %d\n", size, base, peak)
	return 0
}

// runHugeCommit runs hugeCommit in a child process and returns its figures.
func runHugeCommit(tb testing.TB, size int) (base, peak int64) {
	tb.Helper()
	self, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run=^$")
	cmd.Env = append(os.Environ(), hugeEnv+"="+tb.TempDir(), hugeSizeEnv+"="+strconv.Itoa(size))
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("child: %v\n%s", err, out)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var n int
		if _, err := fmt.Sscanf(sc.Text(), "size %d base %d peak %d", &n, &base, &peak); err == nil {
			return base, peak
		}
	}
	tb.Fatalf("child said:\n%s", out)
	return 0, 0
}

// BenchmarkCommitHuge commits one 200 MiB message in a fresh process and
// reports its peak RSS (VmHWM), in MiB and as a multiple of the message
// size: the message itself is in memory throughout, as in a fetch.
func BenchmarkCommitHuge(b *testing.B) {
	const size = 200 << 20
	var base, peak int64
	for b.Loop() {
		base, peak = runHugeCommit(b, size)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
	b.ReportMetric(float64(base)/(1<<20), "before-commit-MiB")
	b.ReportMetric(float64(peak)/size, "peak/size")
}

// TestHugeCommitPeakRSS: committing a message far over largeRaw costs
// little more than the message itself, which the caller holds: peak RSS
// stays under 1.5 times its size (bbolt alone would copy it whole into page
// buffers, 2.05 times). 96 MiB keeps the test light; the benchmark
// measures 200 MiB.
func TestHugeCommitPeakRSS(t *testing.T) {
	if testing.Short() {
		t.Skip("commits a 96 MiB message")
	}
	if raceEnabled {
		t.Skip("the race detector's shadow memory makes RSS meaningless")
	}
	if _, err := vmHWM(); err != nil {
		t.Skipf("no peak RSS to read: %v", err)
	}
	const size = 96 << 20
	base, peak := runHugeCommit(t, size)
	t.Logf("message %d MiB: %d MiB before the commit, peak %d MiB (%.2fx)", size>>20, base>>20, peak>>20, float64(peak)/size)
	if float64(peak) >= 1.5*size {
		t.Errorf("peak RSS %d MiB for a %d MiB message: %.2fx, want under 1.5x", peak>>20, size>>20, float64(peak)/size)
	}
}
