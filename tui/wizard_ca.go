package tui

import (
	"crypto/x509"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"popbox/mail"
)

// The wizard's CA file field: for a server whose certificate a private
// CA signed, the file of that CA's certificate (PEM), saved as
// Account.CAFile. It is optional. A path typed is checked in a command
// (it reads the disk): it must be a readable file holding at least one
// PEM certificate, as mail.TLSConfig needs; its problems show beside the
// field like Validate's. The file an edited account already has is kept
// as it is, unchecked.

// Codes of the CA file's problems (the wizard's own, beside mail's).
const (
	caMissing    = "ca-missing"
	caFolder     = "ca-folder"
	caUnreadable = "ca-unreadable"
	caNoPEM      = "ca-no-pem"
)

// wizardCAFileMsg is the check of the CA file typed as path: its full
// path, and the code of its problem ("" for none).
type wizardCAFileMsg struct {
	path string
	abs  string
	code string
}

// caCheck is the last check of the CA file field, for the value path.
type caCheck struct {
	path, abs, code string
}

// checkCAFile is the command that checks the CA file typed as path.
func checkCAFile(path string) tea.Cmd {
	return func() tea.Msg {
		abs, code := inspectCAFile(path)
		return wizardCAFileMsg{path: path, abs: abs, code: code}
	}
}

// inspectCAFile says whether path (~/ is the home folder) is a readable
// file of PEM certificates, and gives its full path.
func inspectCAFile(path string) (abs, code string) {
	abs, err := filepath.Abs(expandHome(path))
	if err != nil {
		abs = path
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return abs, caMissing
	case err != nil:
		return abs, caUnreadable
	case fi.IsDir():
		return abs, caFolder
	}
	b, err := os.ReadFile(abs)
	if err != nil {
		return abs, caUnreadable
	}
	if !x509.NewCertPool().AppendCertsFromPEM(b) {
		return abs, caNoPEM
	}
	return abs, ""
}

// caValue is the CA file field's text, trimmed.
func (m wizardModel) caValue() string { return strings.TrimSpace(m.val(wfCAFile)) }

// caNeedsCheck reports whether the CA file field holds a path to check:
// not empty, and not the file an edited account already has.
func (m wizardModel) caNeedsCheck() bool {
	v := m.caValue()
	return v != "" && (m.existing == nil || v != m.existing.CAFile)
}

// caPending reports whether the CA file typed has not been checked yet.
func (m wizardModel) caPending() bool {
	return m.caNeedsCheck() && m.ca.path != m.caValue()
}

// caFile is the CA file to save: the full path of one checked, else what
// the field holds.
func (m wizardModel) caFile() string {
	v := m.caValue()
	if m.caNeedsCheck() && m.ca.path == v && m.ca.code == "" && m.ca.abs != "" {
		return m.ca.abs
	}
	return v
}

// caProblem is the CA file's problem, if its check found one.
func (m wizardModel) caProblem() (mail.FieldError, bool) {
	if !m.caNeedsCheck() || m.ca.path != m.caValue() || m.ca.code == "" {
		return mail.FieldError{}, false
	}
	return mail.FieldError{Field: mail.FieldCAFile, Code: m.ca.code, Message: "the CA file " + m.ca.abs + " cannot be used"}, true
}

// caChecked takes a check of the CA file, unless the field has changed
// since; a review that waited for it goes on.
func (m wizardModel) caChecked(msg wizardCAFileMsg) (wizardModel, tea.Cmd) {
	if msg.path != m.caValue() {
		return m, nil
	}
	m.ca = caCheck(msg)
	if m.caReview {
		m.caReview = false
		if m.step == wizardStepForm && !m.saving {
			return m.toReview()
		}
	}
	return m, nil
}

// caText is the sentence of a CA file problem.
func (m wizardModel) caText(fe mail.FieldError) string {
	return m.d.lang.tr("wizard."+fe.Code, clean(m.ca.abs))
}
