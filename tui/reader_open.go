package tui

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"popbox/mail"
	"popbox/mail/mime"
	"popbox/tui/i18n"
)

// Opening parts of a message with the desktop's program: o and a number
// opens an attachment, H the HTML part. The part is written into a
// private folder under a name popbox makes ("attachment-3.pdf",
// "message.html"): nothing is ever run with a name, or a path, taken from
// the message. The opener (POPBOX_OPENER, else xdg-open or open) gets the
// path as its one argument, with no shell and no terminal.

// OpenerEnv names the program that opens files and links; its whole value
// is the program (a path, or a name on PATH), run with no shell.
const OpenerEnv = "POPBOX_OPENER"

// ErrNoOpener says there is no program to open files or links with.
var ErrNoOpener = errors.New("no program to open files")

// errNoHTML says the message has no HTML part to open.
var errNoHTML = errors.New("the message has no HTML part")

// openerWait is how long an opener is watched after it starts: xdg-open
// that finds no program for a file ends at once with a status, which is
// then reported; one that is still running after this has opened it.
const openerWait = 1500 * time.Millisecond

// partOpenedMsg says an attachment, the HTML part or a link was handed to
// the opener, or why not.
type partOpenedMsg struct {
	id   string
	seq  int
	what string // as listed: the attachment's name, or the link
	link bool
	err  error
}

// launcher is what opens target (a file popbox wrote, or a link):
// deps.opener when set (tests), else runOpener with the environment.
func (d deps) launcher() func(target string) error {
	if d.opener != nil {
		return d.opener
	}
	getenv := d.env
	return func(target string) error { return runOpener(getenv, target) }
}

// openerCommand finds the program that opens files: POPBOX_OPENER, else
// xdg-open (Linux and the BSDs) or open (macOS) on PATH.
func openerCommand(getenv func(string) string) (string, error) {
	if p := strings.TrimSpace(getenv(OpenerEnv)); p != "" {
		path, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("%s=%s: %w", OpenerEnv, p, err)
		}
		return path, nil
	}
	names := []string{"xdg-open", "open"}
	if runtime.GOOS == "darwin" {
		names = []string{"open", "xdg-open"}
	}
	for _, name := range names {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", ErrNoOpener
}

// runOpener starts the opener on target, detached: its own session, no
// terminal, standard input, output and error on the null device, so
// nothing it says lands on popbox's screen. An opener that fails within
// openerWait is reported with its status; one still running then is left
// to run (a viewer that stays open).
func runOpener(getenv func(string) string, target string) error {
	path, err := openerCommand(getenv)
	if err != nil {
		return err
	}
	// Stdin, Stdout and Stderr left nil are the null device.
	cmd := exec.Command(path, target)
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", filepath.Base(path), err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(path), err)
		}
	case <-time.After(openerWait):
	}
	return nil
}

// openFiles is the private folder the parts handed to the opener are
// written into: made at the first open (0700) under $XDG_RUNTIME_DIR, else
// the system's temporary folder, and removed when popbox ends, so an
// opener has the files for as long as popbox runs. Each open gets a
// numbered folder of its own in it, so a name is never reused while a
// viewer may still show it.
type openFiles struct {
	mu     sync.Mutex
	getenv func(string) string // XDG_RUNTIME_DIR; nil is os.Getenv
	base   string              // where to make the folder; "" = runtime or temp folder
	dir    string
	n      int
}

// newOpenFiles is the folder for a run of popbox.
func newOpenFiles(getenv func(string) string) *openFiles {
	return &openFiles{getenv: getenv}
}

// write stores data as name (popbox's own, never the message's) with mode
// 0600 and returns its path.
func (f *openFiles) write(name string, data []byte) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dir == "" {
		dir, err := os.MkdirTemp(f.baseDir(), "popbox-open-")
		if err != nil {
			return "", err
		}
		f.dir = dir
	}
	f.n++
	sub := filepath.Join(f.dir, strconv.Itoa(f.n))
	if err := os.Mkdir(sub, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(sub, name)
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	_, err = file.Write(data)
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return "", err
	}
	return path, nil
}

// baseDir is where the folder goes: $XDG_RUNTIME_DIR (the user's own,
// on a RAM disk, cleared at logout) when it is a folder, else the
// system's temporary folder.
func (f *openFiles) baseDir() string {
	if f.base != "" {
		return f.base
	}
	getenv := f.getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if d := getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(d) {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			return d
		}
	}
	return os.TempDir()
}

// remove deletes the folder and everything written into it.
func (f *openFiles) remove() error {
	if f == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dir == "" {
		return nil
	}
	err := os.RemoveAll(f.dir)
	f.dir = ""
	return err
}

// fileExts are the extensions a written part may get, by media type: a
// fixed list of documents, pictures and media. The system's tables
// (mime.ExtensionsByType) also know .desktop, .jar and .exe, which an
// opener may run; a type not here gets the sender's extension only when
// that is one of these, else .bin.
var fileExts = map[string]string{
	"application/pdf":    ".pdf",
	"application/zip":    ".zip",
	"application/gzip":   ".gz",
	"application/json":   ".json",
	"application/xml":    ".xml",
	"application/rtf":    ".rtf",
	"application/msword": ".doc",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
	"application/vnd.ms-excel": ".xls",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         ".xlsx",
	"application/vnd.ms-powerpoint":                                             ".ppt",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
	"application/vnd.oasis.opendocument.text":                                   ".odt",
	"application/vnd.oasis.opendocument.spreadsheet":                            ".ods",
	"application/vnd.oasis.opendocument.presentation":                           ".odp",
	"application/pgp-signature":                                                 ".asc",
	"application/pkcs7-signature":                                               ".p7s",
	"image/png":                                                                 ".png",
	"image/jpeg":                                                                ".jpg",
	"image/gif":                                                                 ".gif",
	"image/webp":                                                                ".webp",
	"image/bmp":                                                                 ".bmp",
	"image/tiff":                                                                ".tiff",
	"image/heic":                                                                ".heic",
	"image/svg+xml":                                                             ".svg",
	"text/plain":                                                                ".txt",
	"text/html":                                                                 ".html",
	"text/csv":                                                                  ".csv",
	"text/calendar":                                                             ".ics",
	"text/markdown":                                                             ".md",
	"text/xml":                                                                  ".xml",
	"message/rfc822":                                                            ".eml",
	"audio/mpeg":                                                                ".mp3",
	"audio/ogg":                                                                 ".ogg",
	"audio/wav":                                                                 ".wav",
	"audio/mp4":                                                                 ".m4a",
	"video/mp4":                                                                 ".mp4",
	"video/quicktime":                                                           ".mov",
	"video/webm":                                                                ".webm",
}

// openName is the name an attachment is written under for the opener:
// "attachment-N" and an extension from fileExts. The sender's file name
// gives at most its extension, and only one from the list (for the
// many attachments sent as application/octet-stream).
func openName(att mail.Attachment, n int) string {
	ext, ok := fileExts[strings.ToLower(att.Type)]
	if !ok {
		ext = ".bin"
		own := strings.ToLower(filepath.Ext(att.Filename))
		for _, e := range fileExts {
			if own == e {
				ext = e
				break
			}
		}
	}
	return "attachment-" + strconv.Itoa(n) + ext
}

// startOpen opens the attachment number prompt of o, or says there is
// nothing to open.
func (m readerModel) startOpen() readerModel {
	if len(m.attachments()) == 0 {
		m.note, m.noteErr = m.d.lang.tr("reader.noAttachments"), true
		m.layout()
		return m
	}
	m.opening, m.number, m.note = true, "", ""
	m.layout()
	return m
}

// openKey reads the attachment number as saveKey does; the attachment is
// opened once the number is whole.
func (m readerModel) openKey(k tea.KeyMsg) (readerModel, tea.Cmd) {
	count := len(m.attachments())
	switch {
	case key.Matches(k, m.k.SaveCancel):
		m.opening = false
		m.layout()
		return m, nil
	case key.Matches(k, m.k.SaveConfirm):
		n, err := strconv.Atoi(m.number)
		if err != nil || n < 1 || n > count {
			m.note, m.noteErr = m.d.lang.tr("reader.badNumber", count), true
			m.number = ""
			m.layout()
			return m, nil
		}
		return m.openAttachment(n)
	case k.Type == tea.KeyBackspace:
		if m.number != "" {
			m.number = m.number[:len(m.number)-1]
		}
	case k.Type == tea.KeyRunes && len(k.Runes) == 1 && k.Runes[0] >= '0' && k.Runes[0] <= '9':
		next := m.number + string(k.Runes)
		n, _ := strconv.Atoi(next)
		if n < 1 || n > count {
			return m, nil
		}
		m.number = next
		if n*10 > count {
			return m.openAttachment(n)
		}
	}
	return m, nil
}

// openAttachment writes attachment n (1-based, as listed) into the open
// folder and hands it to the opener, in a command.
func (m readerModel) openAttachment(n int) (readerModel, tea.Cmd) {
	att := m.attachments()[n-1]
	m.opening, m.number = false, ""
	what := displayName(att, n)
	m.note, m.noteErr = m.d.lang.tr("reader.opening", what), false
	m.layout()
	src, id, seq, files, open := m.src, m.msg.ID, m.seq, m.d.openFiles(), m.d.launcher()
	return m, func() tea.Msg {
		err := func() error {
			raw, err := src.Raw(id)
			if err != nil {
				return err
			}
			a, data, err := mail.AttachmentData(raw, att.Index)
			if err != nil {
				return err
			}
			path, err := files.write(openName(a, n), data)
			if err != nil {
				return err
			}
			return open(path)
		}()
		return partOpenedMsg{id: id, seq: seq, what: what, err: err}
	}
}

// openHTML writes the HTML part as a UTF-8 page and hands it to the
// opener, in a command.
func (m readerModel) openHTML() (readerModel, tea.Cmd) {
	if !m.loaded || m.err != nil {
		return m, nil
	}
	l := m.d.lang
	what := l.tr("reader.htmlPart")
	m.note, m.noteErr = l.tr("reader.opening", what), false
	m.layout()
	src, id, seq, files, open := m.src, m.msg.ID, m.seq, m.d.openFiles(), m.d.launcher()
	return m, func() tea.Msg {
		err := func() error {
			raw, err := src.Raw(id)
			if err != nil {
				return err
			}
			s, ok := mime.HTML(raw)
			if !ok {
				return errNoHTML
			}
			path, err := files.write("message.html", mime.HTMLFile(s))
			if err != nil {
				return err
			}
			return open(path)
		}()
		return partOpenedMsg{id: id, seq: seq, what: what, err: err}
	}
}

// opened says what was opened, or why not.
func (m readerModel) opened(msg partOpenedMsg) readerModel {
	l := m.d.lang
	what := clean(msg.what)
	switch {
	case errors.Is(msg.err, ErrNoOpener) && msg.link:
		m.note, m.noteErr = l.tr("reader.noLinkOpener"), true
	case errors.Is(msg.err, ErrNoOpener):
		m.note, m.noteErr = l.tr("reader.noOpener"), true
	case errors.Is(msg.err, errNoHTML):
		m.note, m.noteErr = l.tr("reader.noHTML"), true
	case msg.err != nil:
		m.note, m.noteErr = l.tr("reader.openFailed", what, l.errText(msg.err, i18n.TaskOther)), true
	default:
		m.note, m.noteErr = l.tr("reader.opened", what), false
	}
	return m
}

// openFiles is the folder opened parts go into: deps.files, made by Run
// and removed when it returns. A deps without one (a test) gets a folder
// of its own that nothing removes.
func (d deps) openFiles() *openFiles {
	if d.files != nil {
		return d.files
	}
	return newOpenFiles(d.getenv)
}
