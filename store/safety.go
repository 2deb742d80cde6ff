package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
)

// Like ssh's StrictModes, popbox uses a database or key file only when no
// other user could have planted it or could change it: the file must belong
// to the effective user and not be writable by its group or by others, and
// its folder must not be writable by group or others either (unless it has
// the sticky bit, as /tmp has, so that only a file's owner can remove or
// rename it) and must belong to the user or to root. Otherwise a victim's
// `account add` could seal its password with a key another user planted,
// into a database that user reads. The checks run before anything is read
// from or written to the file; the same checks on the open descriptor
// (openRegular, readKeyFile) close the gap between the two.

// UnsafeProblem is which check a file failed.
type UnsafeProblem int

const (
	OwnedByOther       UnsafeProblem = iota // the file belongs to another user
	Writable                                // its group or others may write it
	FolderOwnedByOther                      // its folder belongs to another user (not root)
	FolderWritable                          // its folder may be written by its group or others, without the sticky bit
)

// Unsafety is why a database or key file is not safe to use.
type Unsafety struct {
	Problem UnsafeProblem
	Owner   string // who the file (or folder) belongs to
	Me      string // the user popbox runs as
	// ByOthers: others may write it; else its group may.
	ByOthers bool
	Mode     string // the mode of the file or folder, as ls shows it
	Folder   string // the folder, for the Folder problems
}

// String is the reason in English, as in "belongs to user bob, not to you (ann)".
func (u Unsafety) String() string {
	by := "its group"
	if u.ByOthers {
		by = "others"
	}
	switch u.Problem {
	case OwnedByOther:
		return fmt.Sprintf("belongs to user %s, not to you (%s)", u.Owner, u.Me)
	case Writable:
		return fmt.Sprintf("is writable by %s (mode %s)", by, u.Mode)
	case FolderOwnedByOther:
		return fmt.Sprintf("cannot be trusted: its folder %s belongs to user %s, who can replace it", u.Folder, u.Owner)
	}
	return fmt.Sprintf("cannot be trusted: its folder %s is writable by %s (mode %s), who can replace it", u.Folder, by, u.Mode)
}

// unsafeFile is the refusal of a file that fails the checks.
func unsafeFile(path string, key bool, u Unsafety) error {
	return &OpenError{Path: path, Key: key, Err: ErrUnsafe, Unsafe: u}
}

// userName is the login name of uid, or "uid N" when it has none.
func userName(uid uint32) string {
	if u, err := user.LookupId(strconv.FormatUint(uint64(uid), 10)); err == nil && u.Username != "" {
		return u.Username
	}
	return "uid " + strconv.FormatUint(uint64(uid), 10)
}

// writableBy says whether someone other than the owner may write to a
// file, and whether that is others (else it is its group). A group that is the user's own private group
// (named after the user, the user's primary group: what useradd makes on
// Debian and Ubuntu, where umask 002 leaves folders group-writable) counts
// as no one, as Debian's ssh counts it.
func writableBy(info fs.FileInfo) (writable, others bool) {
	m := info.Mode()
	switch {
	case m.Perm()&0o002 != 0:
		return true, true
	case m.Perm()&0o020 != 0 && !privateGroup(info):
		return true, false
	}
	return false, false
}

// privateGroup reports whether the file's group is the effective user's
// private group: the user's primary group, with the user's name.
func privateGroup(info fs.FileInfo) bool {
	gid, ok := groupOf(info)
	if !ok {
		return false
	}
	u, err := user.LookupId(strconv.Itoa(os.Geteuid()))
	if err != nil || u.Gid != strconv.FormatUint(uint64(gid), 10) {
		return false
	}
	g, err := user.LookupGroupId(u.Gid)
	return err == nil && g.Name == u.Username
}

// modeString is m as chmod takes it: 0600, 1777.
func modeString(m fs.FileMode) string {
	n := uint32(m.Perm())
	if m&fs.ModeSticky != 0 {
		n |= 0o1000
	}
	return fmt.Sprintf("%04o", n)
}

// checkSafeFile refuses a database or key file (info from Stat or from the
// open descriptor) that belongs to another user or that others may write.
func checkSafeFile(path string, key bool, info fs.FileInfo) error {
	uid, ok := ownerOf(info)
	if !ok {
		return nil // no owners and modes to check on this system
	}
	if me := uint32(os.Geteuid()); uid != me {
		return unsafeFile(path, key, Unsafety{Problem: OwnedByOther, Owner: userName(uid), Me: userName(me)})
	}
	if w, others := writableBy(info); w {
		return unsafeFile(path, key, Unsafety{Problem: Writable, ByOthers: others, Mode: modeString(info.Mode())})
	}
	return nil
}

// checkSafeFolder refuses a database or key file path whose folder another
// user may change: the folder of path as given, and the folder of the file
// a symbolic link at path leads to. A folder not made yet is judged by the
// nearest one that exists, in which it will be made.
func checkSafeFolder(path string, key bool) error {
	dirs := []string{filepath.Dir(path)}
	if real, err := filepath.EvalSymlinks(path); err == nil && filepath.Dir(real) != dirs[0] {
		dirs = append(dirs, filepath.Dir(real))
	}
	for _, dir := range dirs {
		if err := checkFolder(path, key, dir); err != nil {
			return err
		}
	}
	return nil
}

func checkFolder(path string, key bool, dir string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("check the folder of %s: %w", path, err)
	}
	var info fs.FileInfo
	for {
		info, err = os.Stat(dir)
		if err == nil || !errors.Is(err, fs.ErrNotExist) || filepath.Dir(dir) == dir {
			break
		}
		dir = filepath.Dir(dir)
	}
	if err != nil {
		return fmt.Errorf("check the folder of %s: %w", path, err)
	}
	uid, ok := ownerOf(info)
	if !ok {
		return nil
	}
	if me := uint32(os.Geteuid()); uid != me && uid != 0 {
		return unsafeFile(path, key, Unsafety{Problem: FolderOwnedByOther, Owner: userName(uid), Folder: dir})
	}
	if w, others := writableBy(info); w && info.Mode()&fs.ModeSticky == 0 {
		return unsafeFile(path, key, Unsafety{Problem: FolderWritable, ByOthers: others, Mode: modeString(info.Mode()), Folder: dir})
	}
	return nil
}

// checkSafePath runs every check on a database or key file path before
// it is opened or made: the file when there is one (it must also be a
// regular file), and its folder. exists says whether there is a file.
func checkSafePath(path string, key bool) (info fs.FileInfo, exists bool, err error) {
	info, exists, err = statFile(path, key)
	if err != nil {
		return nil, exists, err
	}
	if exists {
		if err := checkSafeFile(path, key, info); err != nil {
			return nil, true, err
		}
	}
	if err := checkSafeFolder(path, key); err != nil {
		return nil, exists, err
	}
	return info, exists, nil
}
