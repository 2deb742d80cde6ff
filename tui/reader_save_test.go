package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestReaderSaveAsksFolder: after the attachment's number, the reader
// asks where to save it, the folder given first (the downloads folder):
// enter saves there, another folder typed saves there, esc saves nothing.
func TestReaderSaveAsksFolder(t *testing.T) {
	for _, l := range []lang{langEN, langJA} {
		t.Run(langName(l), func(t *testing.T) {
			st := newMemStore(testAccounts()...)
			msg := putMail(st, "1", "m1", readerMail, false)
			m := testReader(t, st, msg, l, 80, 24)
			first := m.saveDir

			m = press(t, m, "s", "1")
			if !m.typing() {
				t.Fatal("the folder prompt does not keep the keys")
			}
			v := ansi.Strip(m.view())
			prompt := l.tr("reader.folderPrompt", "plan.pdf")
			if !strings.Contains(v, prompt+first) {
				t.Fatalf("no folder prompt %q with %s:\n%s", prompt, first, v)
			}
			if entries, _ := os.ReadDir(first); len(entries) != 0 {
				t.Fatalf("saved before the folder was given: %v", entries)
			}

			// esc: nothing saved, the prompt gone.
			m = press(t, m, "esc")
			if m.typing() || strings.Contains(ansi.Strip(m.view()), prompt) {
				t.Fatalf("esc did not close the prompt:\n%s", ansi.Strip(m.view()))
			}
			if entries, _ := os.ReadDir(first); len(entries) != 0 {
				t.Fatalf("esc saved: %v", entries)
			}

			// Another folder, typed over the one given.
			other := t.TempDir()
			m = press(t, m, "s", "1", "ctrl+u", "="+other, "enter")
			if _, err := os.Stat(filepath.Join(other, "plan.pdf")); err != nil {
				t.Fatalf("not saved in the folder typed: %v (note %q)", err, m.note)
			}

			// Enter takes the folder given first.
			m = press(t, m, "s", "2", "enter")
			if _, err := os.Stat(filepath.Join(first, "会場の地図.png")); err != nil {
				t.Fatalf("not saved in %s: %v (note %q)", first, err, m.note)
			}

			// A folder that does not exist: nothing written, and said so.
			m = press(t, m, "s", "1", "ctrl+u", "="+filepath.Join(other, "nope"), "enter")
			if !m.noteErr || !strings.Contains(m.note, filepath.Join(other, "nope")) {
				t.Errorf("a missing folder: note %q", m.note)
			}
			checkScreen(t, m.view(), 80, 24)
		})
	}
}

// TestReaderSaveFolderHome: ~/ in the folder typed is the home folder.
func TestReaderSaveFolderHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	st := newMemStore(testAccounts()...)
	msg := putMail(st, "1", "m1", readerMail, false)
	m := testReader(t, st, msg, langEN, 80, 24)
	m = press(t, m, "s", "1", "ctrl+u", "=~/", "enter")
	if _, err := os.Stat(filepath.Join(home, "plan.pdf")); err != nil {
		t.Fatalf("~/ not read as the home folder: %v (note %q)", err, m.note)
	}
}

// TestDownloadFolder: the folder first given is XDG_DOWNLOAD_DIR from the
// environment or from user-dirs.dirs, else ~/Downloads, else the working
// folder; one that does not exist is passed over.
func TestDownloadFolder(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string // $HOME is replaced by the home folder
		dirs string            // user-dirs.dirs in $XDG_CONFIG_HOME or ~/.config; "" = none
		cfg  string            // XDG_CONFIG_HOME below home; "" = unset
		mk   []string          // folders made below home
		want string            // below home; "" = the working folder
	}{
		{name: "nothing: the working folder"},
		{name: "~/Downloads", mk: []string{"Downloads"}, want: "Downloads"},
		{name: "the environment", env: map[string]string{"XDG_DOWNLOAD_DIR": "$HOME/dl"}, mk: []string{"dl", "Downloads"}, want: "dl"},
		{name: "user-dirs.dirs", dirs: "# comment\nXDG_DESKTOP_DIR=\"$HOME/Desktop\"\nXDG_DOWNLOAD_DIR=\"$HOME/ダウンロード\"\n", mk: []string{"ダウンロード", "Downloads"}, want: "ダウンロード"},
		{name: "user-dirs.dirs in XDG_CONFIG_HOME", cfg: "cfg", dirs: "XDG_DOWNLOAD_DIR=\"$HOME/x\"\n", mk: []string{"x"}, want: "x"},
		{name: "an absolute path", dirs: "XDG_DOWNLOAD_DIR=\"$HOME/abs\"\n", mk: []string{"abs"}, want: "abs"},
		{name: "a folder that does not exist is passed over", dirs: "XDG_DOWNLOAD_DIR=\"$HOME/gone\"\n", mk: []string{"Downloads"}, want: "Downloads"},
		{name: "the home folder itself means none", dirs: "XDG_DOWNLOAD_DIR=\"$HOME/\"\n", want: ""},
		{name: "the environment before the file", env: map[string]string{"XDG_DOWNLOAD_DIR": "$HOME/a"}, dirs: "XDG_DOWNLOAD_DIR=\"$HOME/b\"\n", mk: []string{"a", "b"}, want: "a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			for _, d := range tc.mk {
				if err := os.MkdirAll(filepath.Join(home, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			env := map[string]string{"HOME": home}
			for k, v := range tc.env {
				env[k] = strings.ReplaceAll(v, "$HOME", home)
			}
			cfgDir := filepath.Join(home, ".config")
			if tc.cfg != "" {
				cfgDir = filepath.Join(home, tc.cfg)
				env["XDG_CONFIG_HOME"] = cfgDir
			}
			if tc.dirs != "" {
				dirs := tc.dirs
				if tc.name == "an absolute path" {
					dirs = "XDG_DOWNLOAD_DIR=\"" + filepath.Join(home, "abs") + "\"\n"
				}
				if err := os.MkdirAll(cfgDir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(cfgDir, "user-dirs.dirs"), []byte(dirs), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want := wd
			if tc.want != "" {
				want = filepath.Join(home, tc.want)
			}
			if got := downloadFolder(func(k string) string { return env[k] }); got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}
