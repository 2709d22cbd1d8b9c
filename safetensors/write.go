package safetensors

import (
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"gorgonia.org/tensor"
)

// Write writes tensors and metadata to the file at path (see Encode for the
// layout and the checks), atomically: the file at path is either left as it
// was or replaced whole by the new one, even if the process dies midway.
//
// It validates everything first, writes to a new temporary file in the same
// directory (".NAME.tmp-RANDOM"; a crash may leave one behind), fsyncs and
// closes it, renames it over path and fsyncs the directory. On any error the
// temporary file is removed. A file replaced keeps its permission bits; a new
// one gets 0666 less the umask.
func Write(path string, tensors map[string]*tensor.Dense, metadata map[string]string) error {
	p, err := newPlan(tensors, metadata)
	if err != nil {
		return at(err, "write", path)
	}
	return at(writeAtomic(path, p.writeTo), "write", path)
}

// writeAtomic replaces the file at path with the bytes that fill writes,
// through a temporary file renamed into place. Tests pass a fill that fails
// or exits midway to show that the old file survives.
func writeAtomic(path string, fill func(io.Writer) error) error {
	dir := filepath.Dir(path)
	f, err := createTemp(dir, filepath.Base(path))
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
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
		if err := f.Chmod(st.Mode().Perm()); err != nil {
			return err
		}
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	done = true
	return syncDir(dir)
}

// createTemp creates a new file ".BASE.tmp-RANDOM" in dir with mode 0666
// less the umask (os.CreateTemp would give 0600).
func createTemp(dir, base string) (*os.File, error) {
	for range 100 {
		name := filepath.Join(dir, "."+base+".tmp-"+strconv.FormatUint(rand.Uint64(), 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, errors.New("cannot create a temporary file in " + dir)
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
