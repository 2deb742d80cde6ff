package main

// What popbox import reads: an mbox file, or the new and cur folders of a
// Maildir.

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"popbox/mail"
)

// mboxSource reads the messages of an mbox file.
type mboxSource struct {
	f       *os.File
	path    string
	size    int64
	read    *countingReader
	r       *mail.MboxReader
	n       int
	limit   int64
	account string
	e       env
}

type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func openMboxSource(path string, limit int64, account string, e env) (*mboxSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.New(e.lang.Tr("cli.importOpen", path, pathErr(err)))
	}
	fi, err := f.Stat()
	if err == nil && fi.IsDir() {
		f.Close()
		return nil, errors.New(e.lang.Tr("cli.importNotMbox", path))
	}
	s := &mboxSource{f: f, path: path, limit: limit, account: account, e: e}
	if err == nil {
		s.size = fi.Size()
	}
	s.read = &countingReader{r: f}
	s.r = mail.NewMboxReader(s.read, limit)
	return s, nil
}

func (s *mboxSource) Close() error { return s.f.Close() }

func (s *mboxSource) next() ([]byte, bool, string, error) {
	m, err := s.r.Next()
	if err == io.EOF {
		return nil, false, "", io.EOF
	}
	if errors.Is(err, mail.ErrNotMbox) {
		return nil, false, "", errors.New(s.e.lang.Tr("cli.importNotMbox", s.path))
	}
	if err != nil {
		return nil, false, "", errors.New(s.e.lang.Tr("cli.importRead", s.path, pathErr(err), s.n))
	}
	s.n++
	if m.TooLarge {
		return nil, false, s.e.lang.Tr("cli.importTooLarge", s.n, s.path, mail.FormatSize(m.Size), s.account, mail.FormatSize(s.limit)), nil
	}
	return m.Raw, false, "", nil
}

func (s *mboxSource) done() int64             { return s.read.n.Load() }
func (s *mboxSource) total() (int64, bool)    { return s.size, true }
func (s *maildirSource) done() int64          { return int64(s.i) }
func (s *maildirSource) total() (int64, bool) { return int64(len(s.files)), false }

// maildirSource reads the files of a Maildir's new and cur folders, in
// name order. A message in cur whose name's info ("2,FLAGS") holds S has
// been seen; one in new has not.
type maildirSource struct {
	files   []string
	i       int
	limit   int64
	account string
	e       env
}

func openMaildirSource(dir string, limit int64, account string, e env) (*maildirSource, error) {
	s := &maildirSource{limit: limit, account: account, e: e}
	found := false
	for _, sub := range []string{"new", "cur"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, errors.New(e.lang.Tr("cli.importOpen", filepath.Join(dir, sub), pathErr(err)))
		}
		found = true
		for _, en := range entries {
			// Dot files are not messages (Maildir++ keeps its own there).
			if strings.HasPrefix(en.Name(), ".") || en.IsDir() {
				continue
			}
			s.files = append(s.files, filepath.Join(dir, sub, en.Name()))
		}
	}
	if !found {
		if _, err := os.Stat(dir); err != nil {
			return nil, errors.New(e.lang.Tr("cli.importOpen", dir, pathErr(err)))
		}
		return nil, errors.New(e.lang.Tr("cli.importNotMaildir", dir))
	}
	slices.Sort(s.files)
	return s, nil
}

func (s *maildirSource) next() ([]byte, bool, string, error) {
	if s.i >= len(s.files) {
		return nil, false, "", io.EOF
	}
	path := s.files[s.i]
	s.i++
	seen := false
	if filepath.Base(filepath.Dir(path)) == "cur" {
		if _, info, ok := strings.Cut(filepath.Base(path), ":2,"); ok {
			seen = strings.ContainsRune(info, 'S')
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, false, s.e.lang.Tr("cli.importFileUnread", path, pathErr(err)), nil
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, false, s.e.lang.Tr("cli.importFileUnread", path, pathErr(err)), nil
	}
	if !fi.Mode().IsRegular() {
		return nil, false, s.e.lang.Tr("cli.importFileUnread", path, "not a regular file"), nil
	}
	if fi.Size() > s.limit {
		return nil, false, s.e.lang.Tr("cli.importTooLarge", s.i, path, mail.FormatSize(fi.Size()), s.account, mail.FormatSize(s.limit)), nil
	}
	raw, err := io.ReadAll(io.LimitReader(f, s.limit+1))
	if err != nil {
		return nil, false, s.e.lang.Tr("cli.importFileUnread", path, pathErr(err)), nil
	}
	if int64(len(raw)) > s.limit {
		return nil, false, s.e.lang.Tr("cli.importTooLarge", s.i, path, mail.FormatSize(int64(len(raw))), s.account, mail.FormatSize(s.limit)), nil
	}
	return raw, seen, "", nil
}
