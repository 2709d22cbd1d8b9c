package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrNotRegular is returned by Write for a path that exists and is not a
// regular file (after following symbolic links).
type ErrNotRegular struct {
	Path   string      // the path given to Write
	Target string      // the file the path resolves to (Path itself when it is no link)
	Mode   fs.FileMode // the target's type bits
}

func (e *ErrNotRegular) Error() string {
	what := kindOf(e.Mode)
	if e.Target != e.Path {
		return fmt.Sprintf("%s resolves to %s, which is %s, not a regular file: refusing to replace it", e.Path, e.Target, what)
	}
	return fmt.Sprintf("%s is %s, not a regular file: refusing to replace it", e.Path, what)
}

func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// maxLinks bounds the symbolic links followed, as the kernel's ELOOP does.
const maxLinks = 40

// Resolve returns the file that writing path would replace: path with every
// symbolic link followed (a dangling link resolves to the file it names),
// and whether that file exists. It returns *ErrNotRegular when the file
// exists and is not a regular file.
func Resolve(path string) (target string, exists bool, err error) {
	target = path
	for range maxLinks {
		st, err := os.Lstat(target)
		if errors.Is(err, fs.ErrNotExist) {
			return target, false, nil
		}
		if err != nil {
			return "", false, err
		}
		if st.Mode()&fs.ModeSymlink == 0 {
			if !st.Mode().IsRegular() {
				return "", true, &ErrNotRegular{Path: path, Target: target, Mode: st.Mode().Type()}
			}
			return target, true, nil
		}
		link, err := os.Readlink(target)
		if err != nil {
			return "", false, err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(target), link)
		}
		target = link
	}
	return "", false, fmt.Errorf("%s: too many levels of symbolic links", path)
}

// Write replaces the file at path with the bytes fill writes, atomically:
// path is either left as it was or replaced whole, even if the process dies
// midway. A symbolic link is written through (its final target is
// replaced); a path that is not a regular file is refused (*ErrNotRegular).
// A replaced file keeps its permission bits; a new one gets 0666 less the
// umask. On any error the temporary file is removed.
func Write(path string, fill func(io.Writer) error) error {
	target, exists, err := Resolve(path)
	if err != nil {
		return err
	}
	dir, base := filepath.Dir(target), filepath.Base(target)
	removeStale(dir, base)
	f, err := createTemp(dir, base)
	if err != nil {
		return err
	}
	tmp := f.Name()
	done := false
	defer func() { // on error or panic: drop the temporary file
		if !done {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := fill(f); err != nil {
		return err
	}
	if exists {
		if st, err := os.Stat(target); err == nil && st.Mode().IsRegular() {
			if err := f.Chmod(st.Mode().Perm()); err != nil {
				return err
			}
		}
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	// The target may have become something else while we wrote: check again
	// right before the rename (a narrow window remains; no portable rename
	// can close it).
	if _, _, err := Resolve(target); err != nil {
		return err
	}
	if err := os.Rename(tmp, target); err != nil {
		return err
	}
	done = true
	return syncDir(dir)
}

// tempPrefix and tempSuffix frame the temporary files' names:
// ".BASE.symgrad-PID-RANDOM.tmp".
const tempSuffix = ".tmp"

func tempPrefix(base string) string { return "." + base + ".symgrad-" }

// createTemp creates a new temporary file for base in dir with mode 0666
// less the umask (os.CreateTemp would give 0600).
func createTemp(dir, base string) (*os.File, error) {
	pid := strconv.Itoa(os.Getpid())
	for range 100 {
		name := filepath.Join(dir, tempPrefix(base)+pid+"-"+strconv.FormatUint(rand.Uint64(), 36)+tempSuffix)
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, errors.New("cannot create a temporary file in " + dir)
}

// staleAge is how old a temporary file of an unknown process must be before
// removeStale takes it for abandoned.
const staleAge = 24 * time.Hour

// removeStale removes the temporary files that earlier, killed saves to
// base in dir left behind: those whose process no longer runs. Errors are
// ignored: cleaning up is a courtesy, not part of the write.
func removeStale(dir, base string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	prefix := tempPrefix(base)
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, tempSuffix) {
			continue
		}
		pidText, _, ok := strings.Cut(strings.TrimPrefix(name, prefix), "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 {
			continue
		}
		if pid == os.Getpid() || processAlive(pid) {
			continue
		}
		if !canAskLiveness {
			info, err := e.Info()
			if err != nil || time.Since(info.ModTime()) < staleAge {
				continue
			}
		}
		os.Remove(filepath.Join(dir, name))
	}
}

// syncDir fsyncs directory dir so that a rename in it is durable. File
// systems that cannot sync a directory (EINVAL, ENOTSUP) are let be.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) {
		err = nil
	}
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
