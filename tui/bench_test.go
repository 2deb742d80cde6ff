package tui

import (
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"popbox/mail"
	"popbox/store"
)

// benchSize is the mailbox the list must stay fast at.
const benchSize = 100_000

var (
	benchSenders  = []string{"Hanako Sato", "Taro Yamada", "Billing", "GitHub", "山田花子", "Newsletter", "Kenji Ito", "Support"}
	benchSubjects = []string{"Quarterly report", "Invoice", "Re: lunch on Friday", "[popbox] build failed", "会議の議事録について", "Your order has shipped", "【重要】メンテナンスのお知らせ", "Password reset"}
)

// benchSummary is message i of the synthetic mailbox, i = 0 the newest.
func benchSummary(i int) mail.Summary {
	name := benchSenders[i%len(benchSenders)]
	return mail.Summary{
		From:        mail.Address{Name: name, Address: "user" + strconv.Itoa(i%500) + "@example.com"},
		Subject:     fmt.Sprintf("[%d] %s", benchSize-i, benchSubjects[i%len(benchSubjects)]),
		Date:        appNow.Add(-time.Duration(i) * 17 * time.Minute),
		Size:        int64(2000 + i%70000),
		Attachments: i%7 == 0,
		Preview:     "A short preview of the body of the message, as the list shows it.",
	}
}

// benchSource is a listSource of benchSize summaries in memory: what the
// list costs without the disk.
type benchSource struct{ msgs []store.Message }

func newBenchSource() *benchSource {
	s := &benchSource{msgs: make([]store.Message, benchSize)}
	for i := range s.msgs {
		s.msgs[i] = store.Message{ID: strconv.Itoa(benchSize - i), AccountID: "1", Summary: benchSummary(i), Seen: i%5 != 0, Received: appNow}
	}
	return s
}

func (s *benchSource) Count(string) (int, error) { return len(s.msgs), nil }

func (s *benchSource) Page(_ string, off, limit int) ([]store.Message, error) {
	if off >= len(s.msgs) {
		return nil, nil
	}
	out := make([]store.Message, min(limit, len(s.msgs)-off))
	copy(out, s.msgs[off:])
	return out, nil
}

func (s *benchSource) Search(_ string, q string, off, limit int) ([]store.Message, int, error) {
	var out []store.Message
	n := 0
	for _, m := range s.msgs {
		if strings.Contains(strings.ToLower(m.Summary.From.Name+" "+m.Summary.Subject), q) {
			if n >= off && len(out) < limit {
				out = append(out, m)
			}
			n++
		}
	}
	return out, n, nil
}

func (s *benchSource) MarkSeen(string, bool) error { return nil }
func (s *benchSource) DeleteMessage(string) error  { return nil }

// runSync runs cmd and what follows from it inline, as fast as the store
// answers: no goroutines, no timers (the models' timers are noTimer).
func runSync[M any](m M, update func(M, tea.Msg) (M, tea.Cmd), cmd tea.Cmd) M {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			var next tea.Cmd
			m, next = update(m, msg)
			queue = append(queue, next)
		}
	}
	return m
}

// benchList is a list of src at 120x40 with its first page in.
func benchList(src listSource) listModel {
	m := newList(testDeps(langEN), src, "1", nil)
	m.after = noTimer
	m, c1 := m.setSize(120, 40)
	m, c2 := m.init()
	return runSync(m, listModel.update, tea.Batch(c1, c2))
}

// BenchmarkListPageLoad is one window read and formatted: the command that
// reads it and the update that takes it in.
func BenchmarkListPageLoad(b *testing.B) {
	m := benchList(newBenchSource())
	offsets := []int{0, 5_000, 50_000, benchSize - 300}
	i := 0
	for b.Loop() {
		m2, cmd := m.request(offsets[i%len(offsets)])
		m2, _ = m2.update(cmd())
		i++
		if len(m2.win) == 0 {
			b.Fatal("no rows")
		}
	}
}

// BenchmarkListView draws a 120x40 list, without colours and with the
// 256 and true colours of real terminals.
func BenchmarkListView(b *testing.B) {
	prof := lipgloss.ColorProfile()
	b.Cleanup(func() { lipgloss.SetColorProfile(prof) })
	for _, p := range []struct {
		name string
		prof termenv.Profile
	}{{"ascii", termenv.Ascii}, {"ansi256", termenv.ANSI256}, {"truecolor", termenv.TrueColor}} {
		b.Run(p.name, func(b *testing.B) {
			lipgloss.SetColorProfile(p.prof)
			d := testDeps(langEN)
			d.plain = p.prof == termenv.Ascii
			m := newList(d, newBenchSource(), "1", nil)
			m.after = noTimer
			m, c1 := m.setSize(120, 40)
			m, c2 := m.init()
			m = runSync(m, listModel.update, tea.Batch(c1, c2))
			for b.Loop() {
				if len(m.view()) == 0 {
					b.Fatal("empty view")
				}
			}
		})
	}
}

// BenchmarkListKey is a key press answered: update and the new view, with
// the page loads the keys trigger (run inline) included.
func BenchmarkListKey(b *testing.B) {
	for _, k := range []string{"j", "pgdown"} {
		b.Run(k, func(b *testing.B) {
			m := benchList(newBenchSource())
			msg := keyMsg(k)
			for b.Loop() {
				var cmd tea.Cmd
				m, cmd = m.update(msg)
				if cmd != nil {
					m = runSync(m, listModel.update, cmd)
				}
				_ = m.view()
				if m.cursor >= benchSize-1 {
					m, cmd = m.moveTo(0)
					m = runSync(m, listModel.update, cmd)
				}
			}
		})
	}
}

// BenchmarkAppStartup is the root model on an in-memory store of 100k
// messages, from nothing to its first full View.
func BenchmarkAppStartup(b *testing.B) {
	st := newMemStore(testAccounts()...)
	src := newBenchSource()
	st.msgs["1"] = src.msgs
	for b.Loop() {
		m := newApp(testDeps(langEN), st, appConfig{})
		m.after = noTimer
		m, _ = m.update(tea.WindowSizeMsg{Width: 120, Height: 40})
		m = runSync(m, appModel.update, m.Init())
		if !strings.Contains(m.View(), "[100000] ") {
			b.Fatal("first page not shown")
		}
	}
}

// BenchmarkAppKey is a key press on the whole screen (list, status bar and
// footer), as the program answers it.
func BenchmarkAppKey(b *testing.B) {
	st := newMemStore(testAccounts()...)
	st.msgs["1"] = newBenchSource().msgs
	m := newApp(testDeps(langEN), st, appConfig{})
	m.after = noTimer
	m, _ = m.update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m = runSync(m, appModel.update, m.Init())
	j := keyMsg("j")
	for b.Loop() {
		var cmd tea.Cmd
		m, cmd = m.update(j)
		if cmd != nil {
			m = runSync(m, appModel.update, cmd)
		}
		_ = m.View()
	}
}

// realStore builds a bbolt store with one account of benchSize messages
// under dir, committed in batches of 1000 as a fetch would.
func realStore(b *testing.B, dir string) (path, acct string) {
	b.Helper()
	path = filepath.Join(dir, "popbox.db")
	opts := store.Options{PolicyFile: filepath.Join(dir, "policy.json")}
	st, err := store.Open(path, opts)
	if err != nil {
		b.Skip("no store:", err)
	}
	defer st.Close()
	a := testAccounts()[0]
	a.ID = ""
	a.Incoming.Password = "secret"
	a, err = st.AddAccount(a)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	batch := make([]mail.NewMessage, 0, 1000)
	for i := range benchSize {
		s := benchSummary(i)
		raw := fmt.Appendf(nil, "From: %s <%s>\r\nSubject: %s\r\n\r\nbody %d\r\n", s.From.Name, s.From.Address, s.Subject, i)
		batch = append(batch, mail.NewMessage{UID: "UID" + strconv.Itoa(i), Raw: raw, Summary: s, Digest: sha256.Sum256(raw), FirstSeen: appNow})
		if len(batch) == cap(batch) {
			if _, err := st.Commit(a.ID, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	b.Logf("store of %d messages built in %v", benchSize, time.Since(start).Round(time.Millisecond))
	return path, a.ID
}

// BenchmarkRealStore measures the list on a bbolt store of 100k messages:
// startup to the first full View (opening the store included), a page
// load, a key press, and the jump to the oldest message.
func BenchmarkRealStore(b *testing.B) {
	dir := b.TempDir()
	path, acct := realStore(b, dir)
	opts := store.Options{PolicyFile: filepath.Join(dir, "policy.json")}
	open := func(b *testing.B) *store.Store {
		st, err := store.Open(path, opts)
		if err != nil {
			b.Fatal(err)
		}
		return st
	}
	start := func(st *store.Store) appModel {
		m := newApp(testDeps(langEN), st, appConfig{})
		m.after = noTimer
		m, _ = m.update(tea.WindowSizeMsg{Width: 120, Height: 40})
		return runSync(m, appModel.update, m.Init())
	}

	b.Run("startup", func(b *testing.B) {
		var heap uint64
		for b.Loop() {
			st := open(b)
			m := start(st)
			if !strings.Contains(m.View(), "[100000] ") {
				b.Fatal("first page not shown")
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			heap = max(heap, ms.HeapInuse)
			st.Close()
		}
		b.ReportMetric(float64(heap)/(1<<20), "heapMiB")
	})

	st := open(b)
	defer st.Close()
	b.Run("page", func(b *testing.B) {
		m := newList(testDeps(langEN), st, acct, nil)
		m.after = noTimer
		m, _ = m.setSize(120, 40)
		m, cmd := m.init()
		m = runSync(m, listModel.update, cmd)
		offsets := []int{0, 5_000, 50_000, benchSize - 300}
		i := 0
		for b.Loop() {
			m2, cmd := m.request(offsets[i%len(offsets)])
			m2, _ = m2.update(cmd())
			i++
			if len(m2.win) == 0 {
				b.Fatal("no rows")
			}
		}
	})
	for _, k := range []string{"j", "pgdown", "G"} {
		b.Run("key-"+k, func(b *testing.B) {
			m := start(st)
			msg := keyMsg(k)
			for b.Loop() {
				var cmd tea.Cmd
				m, cmd = m.update(msg)
				if cmd != nil {
					m = runSync(m, appModel.update, cmd)
				}
				_ = m.View()
				if m.list.cursor >= benchSize-1 {
					m.list, cmd = m.list.moveTo(0)
					m.list = runSync(m.list, listModel.update, cmd)
				}
			}
		})
	}
	b.Run("search", func(b *testing.B) {
		m := newList(testDeps(langEN), st, acct, nil)
		m.after = noTimer
		m, _ = m.setSize(120, 40)
		for b.Loop() {
			m2, cmd := m.applyQuery("yamada")
			m2 = runSync(m2, listModel.update, cmd)
			if m2.total == 0 {
				b.Fatal("no match")
			}
			m.gen = m2.gen
		}
	})
}
