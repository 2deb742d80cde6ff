package mail

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// SaveMode says what SaveAttachment does when the name is taken.
type SaveMode int

const (
	// SaveNew refuses: the error wraps fs.ErrExist and nothing is written.
	SaveNew SaveMode = iota
	// SaveNumbered tries "name (1).ext", "name (2).ext" ... up to 999.
	SaveNumbered
	// SaveOverwrite replaces the file.
	SaveOverwrite
)

// SaveAttachment writes data, attachment n of a message whose own file name
// is filename, into the folder dir under a safe name (SafeFilename) and
// returns the path. The file is readable by the user alone (0600): mail is
// private, and a downloads folder is often readable by others. A write
// that fails leaves no partial file behind (unless it replaced one).
func SaveAttachment(dir, filename string, n int, data []byte, mode SaveMode) (string, error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("save into %s: %w", dir, ErrNoFolder)
	}
	name := SafeFilename(filename, n)
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if mode == SaveOverwrite {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	tries := 1
	if mode == SaveNumbered {
		tries = 1000
	}
	for i := 0; i < tries; i++ {
		try := name
		if i > 0 {
			try = fmt.Sprintf("%s (%d)%s", base, i, ext)
		}
		path := filepath.Join(dir, try)
		f, err := os.OpenFile(path, flags, 0o600)
		if errors.Is(err, fs.ErrExist) {
			if tries == 1 {
				return path, fmt.Errorf("save %s: %w", path, fs.ErrExist)
			}
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			if mode != SaveOverwrite {
				os.Remove(path)
			}
			return "", err
		}
		return path, nil
	}
	return "", fmt.Errorf("%s: too many files with this name in %s", name, dir)
}
