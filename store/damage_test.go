package store

import (
	"errors"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"testing"
	"time"

	"popbox/mail"
)

// TestDamagedPages: a database whose pages were overwritten gives
// DamagedError (never a panic) from every call, and a failed write changes
// nothing.
func TestDamagedPages(t *testing.T) {
	for seed := int64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			path := t.TempDir() + "/popbox.db"
			s := openTest(t, path)
			a := addAccount(t, s, "Work")
			for b := 0; b < 10; b++ {
				var batch []mail.NewMessage
				for i := 0; i < 100; i++ {
					m := newMsg(fmt.Sprintf("u%d-%d", b, i), time.Date(2024, 1, 1, 0, b*100+i, 0, 0, time.UTC), "subject")
					batch = append(batch, withRaw(m, strings.Repeat("x", 3000)))
				}
				commit(t, s, a.ID, batch...)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			// Overwrite the headers of random pages, never the two meta pages.
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			fi, _ := f.Stat()
			r := rand.New(rand.NewSource(seed))
			pages := int(fi.Size() / 4096)
			for i := 0; i < pages/4; i++ {
				junk := make([]byte, 16)
				r.Read(junk)
				f.WriteAt(junk, int64(2+r.Intn(pages-2))*4096)
			}
			f.Close()

			s2, err := Open(path, Options{})
			if err != nil {
				if !errors.Is(err, ErrNotDatabase) && !errors.Is(err, ErrDamaged) {
					t.Fatalf("Open of a damaged file: %v", err)
				}
				return
			}
			defer s2.Close()
			var damaged int
			check := func(what string, err error) {
				if err != nil {
					if !errors.Is(err, ErrDamaged) && !errors.Is(err, ErrNoAccount) && !errors.Is(err, ErrNoMessage) && !errors.Is(err, ErrKeyFile) {
						t.Errorf("%s: %v is not a damage error", what, err)
					}
					if errors.Is(err, ErrDamaged) {
						damaged++
						if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "damaged") {
							t.Errorf("%s: %q does not say which file is damaged", what, err)
						}
					}
				}
			}
			_, err = s2.Accounts()
			check("Accounts", err)
			_, err = s2.Count(a.ID)
			check("Count", err)
			for off := 0; off < 1000; off += 50 {
				_, err = s2.Page(a.ID, off, 50)
				check("Page", err)
			}
			_, _, err = s2.Search(a.ID, "subj", 0, 50)
			check("Search", err)
			_, err = s2.UIDRecords(a.ID)
			check("UIDRecords", err)
			_, err = s2.Commit(a.ID, []mail.NewMessage{withRaw(newMsg("new", time.Now(), "new"), "y")})
			check("Commit", err)
			if damaged == 0 {
				t.Log("no call met a damaged page with this seed")
			}
		})
	}
}
