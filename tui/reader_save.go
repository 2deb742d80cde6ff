package tui

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"popbox/mail"
	"popbox/tui/i18n"
)

// Saving an attachment from the reader: s, the attachment's number, then
// the folder, offered as the downloads folder (downloadFolder) and
// editable; enter saves there (mail.SaveAttachment does the writing,
// never over a file), esc saves nothing.

// newFolderInput is the folder prompt's field.
func newFolderInput(d deps) textinput.Model {
	ti := textinput.New()
	ti.Prompt = ""
	ti.CharLimit = 4096
	ti.Cursor.SetMode(cursor.CursorStatic)
	ti.Cursor.Style = d.styles.accent
	ti.TextStyle = d.styles.text
	return ti
}

// startSave opens the number prompt, or says there is nothing to save.
func (m readerModel) startSave() readerModel {
	if len(m.attachments()) == 0 {
		m.note, m.noteErr = m.d.lang.tr("reader.noAttachments"), true
		m.layout()
		return m
	}
	m.saving, m.number = true, ""
	m.note = ""
	m.layout()
	return m
}

// saveKey reads the attachment number: digits, then enter; a number no
// longer one can grow into is taken at once.
func (m readerModel) saveKey(k tea.KeyMsg) (readerModel, tea.Cmd) {
	atts := m.attachments()
	switch {
	case key.Matches(k, m.k.SaveCancel):
		m.saving = false
		m.layout()
		return m, nil
	case key.Matches(k, m.k.SaveConfirm):
		n, err := strconv.Atoi(m.number)
		if err != nil || n < 1 || n > len(atts) {
			m.note, m.noteErr = m.d.lang.tr("reader.badNumber", len(atts)), true
			m.number = ""
			m.layout()
			return m, nil
		}
		return m.askFolder(n), nil
	case k.Type == tea.KeyBackspace:
		if m.number != "" {
			m.number = m.number[:len(m.number)-1]
		}
		return m, nil
	case k.Type == tea.KeyRunes && len(k.Runes) == 1 && k.Runes[0] >= '0' && k.Runes[0] <= '9':
		next := m.number + string(k.Runes)
		n, _ := strconv.Atoi(next)
		if n < 1 || n > len(atts) {
			return m, nil
		}
		m.number = next
		if n*10 > len(atts) {
			return m.askFolder(n), nil
		}
		return m, nil
	}
	return m, nil
}

// askFolder opens the folder prompt for attachment n, the folder offered
// first filled in.
func (m readerModel) askFolder(n int) readerModel {
	m.saving, m.number = false, ""
	m.asking, m.saveN = true, n
	m.note = ""
	m.folder.SetValue(m.saveDir)
	m.folder.CursorEnd()
	m.folder.Focus()
	m.layout()
	return m
}

// folderKey edits the folder; enter saves into it, esc saves nothing.
func (m readerModel) folderKey(k tea.KeyMsg) (readerModel, tea.Cmd) {
	switch {
	case key.Matches(k, m.k.SaveCancel):
		m.asking = false
		m.folder.Blur()
		m.layout()
		return m, nil
	case key.Matches(k, m.k.SaveConfirm):
		dir := strings.TrimSpace(m.folder.Value())
		if dir == "" {
			m.note, m.noteErr = m.d.lang.tr("reader.folderEmpty"), true
			m.layout()
			return m, nil
		}
		m.asking = false
		m.folder.Blur()
		return m.save(m.saveN, dir)
	}
	var cmd tea.Cmd
	m.folder, cmd = m.folder.Update(k)
	return m, cmd
}

// folderPrompt is the words before the folder field.
func (m readerModel) folderPrompt() string {
	atts := m.attachments()
	if m.saveN < 1 || m.saveN > len(atts) {
		return ""
	}
	return m.d.lang.tr("reader.folderPrompt", displayName(atts[m.saveN-1], m.saveN))
}

// sizeFolder gives the folder field the width the prompt leaves.
func (m *readerModel) sizeFolder() {
	m.folder.Width = max(m.width-ansi.StringWidth(m.folderPrompt())-1, 8)
}

// folderLine is the folder prompt: its words, then the field, cut to the
// width.
func (m readerModel) folderLine() string {
	st := m.d.styles
	return ansi.Truncate(st.accent.Render(m.folderPrompt())+m.folder.View(), m.width, "…")
}

// save writes attachment number n (1-based, as listed) into dir in a
// command.
func (m readerModel) save(n int, dir string) (readerModel, tea.Cmd) {
	att := m.attachments()[n-1]
	m.note, m.noteErr = m.d.lang.tr("reader.saving", displayName(att, n)), false
	m.layout()
	src, id, seq, idx := m.src, m.msg.ID, m.seq, att.Index
	return m, func() tea.Msg {
		path, err := saveAttachment(src, id, idx, n, dir)
		return attachmentSavedMsg{id: id, seq: seq, dir: dir, path: path, err: err}
	}
}

// saved says where the attachment went, or why not.
func (m readerModel) saved(msg attachmentSavedMsg) readerModel {
	l := m.d.lang
	switch {
	case errors.Is(msg.err, mail.ErrNoFolder):
		m.note, m.noteErr = l.tr("reader.noFolder", clean(msg.dir)), true
	case msg.err != nil:
		m.note, m.noteErr = l.tr("reader.saveFailed", l.errText(msg.err, i18n.TaskOther)), true
	default:
		m.note, m.noteErr = l.tr("reader.saved", clean(msg.path)), false
	}
	return m
}

// displayName is an attachment's name as listed: its file name, or a
// made-up one when it has none.
func displayName(a mail.Attachment, n int) string {
	if strings.TrimSpace(a.Filename) != "" {
		return clean(a.Filename)
	}
	return mail.SafeFilename("", n)
}

// downloadFolder is the folder an attachment is offered to go to, the
// first that exists of: XDG_DOWNLOAD_DIR from the environment, the same
// from user-dirs.dirs ($XDG_CONFIG_HOME, else ~/.config, as
// xdg-user-dirs writes it), ~/Downloads; else the working folder. It reads
// the disk: call it in a command.
func downloadFolder(getenv func(string) string) string {
	home := getenv("HOME")
	isDir := func(d string) bool {
		fi, err := os.Stat(d)
		return err == nil && fi.IsDir()
	}
	var candidates []string
	if d := getenv("XDG_DOWNLOAD_DIR"); d != "" {
		candidates = append(candidates, d)
	}
	cfg := getenv("XDG_CONFIG_HOME")
	if cfg == "" && home != "" {
		cfg = filepath.Join(home, ".config")
	}
	if cfg != "" {
		if d := userDirsDownload(filepath.Join(cfg, "user-dirs.dirs"), home); d != "" {
			candidates = append(candidates, d)
		}
	}
	if home != "" {
		candidates = append(candidates, filepath.Join(home, "Downloads"))
	}
	for _, d := range candidates {
		d = filepath.Clean(d)
		// The home folder itself is how user-dirs.dirs says "none".
		if d != filepath.Clean(home) && isDir(d) {
			return d
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	return wd
}

// userDirsDownload reads XDG_DOWNLOAD_DIR from a user-dirs.dirs file: a
// shell assignment of "$HOME/path" or "/path"; "" when it has none.
func userDirsDownload(file, home string) string {
	f, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "XDG_DOWNLOAD_DIR=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"`)
		if rest, ok := strings.CutPrefix(v, "$HOME"); ok {
			if home == "" {
				return ""
			}
			v = home + rest
		}
		if !filepath.IsAbs(v) {
			return ""
		}
		return v
	}
	return ""
}

// expandHome reads a leading ~/ (or a lone ~) as the home folder.
func expandHome(dir string) string {
	if dir != "~" && !strings.HasPrefix(dir, "~/") {
		return dir
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return dir
	}
	return filepath.Join(home, strings.TrimPrefix(dir, "~"))
}

// saveAttachment extracts attachment idx of message id and writes it into
// dir (~/ is the home folder) under a safe name, adding " (1)", " (2)" ...
// before the extension instead of overwriting a file.
func saveAttachment(src readerSource, id string, idx, n int, dir string) (string, error) {
	raw, err := src.Raw(id)
	if err != nil {
		return "", err
	}
	att, data, err := mail.AttachmentData(raw, idx)
	if err != nil {
		return "", err
	}
	return mail.SaveAttachment(expandHome(dir), att.Filename, n, data, mail.SaveNumbered)
}
