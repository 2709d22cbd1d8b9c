package data

import (
	"bufio"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"

	"github.com/pkg/errors"
)

// gzipMagic starts every gzip stream (RFC 1952).
var gzipMagic = [2]byte{0x1f, 0x8b}

// maybeGunzip returns a reader of r's contents, decompressed when they start
// with the gzip magic bytes, and whether they did. The reader fails with a
// *TooLargeError after limit bytes (decompressed) when more follow.
func maybeGunzip(r io.Reader, name string, limit int64) (io.Reader, bool, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(2)
	if err != nil && err != io.EOF {
		return nil, false, errors.Wrapf(err, "data: %s", name)
	}
	if len(head) < 2 || head[0] != gzipMagic[0] || head[1] != gzipMagic[1] {
		return &limitedReader{r: br, left: limit, err: &TooLargeError{Name: name, Limit: limit}}, false, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, true, errors.Wrapf(err, "data: %s: gzip header", name)
	}
	return &limitedReader{r: zr, left: limit, err: &TooLargeError{Name: name, Limit: limit, Gzip: true}}, true, nil
}

// openFile opens path for one of the Load functions and returns the file,
// its base name (used in error messages) and its size.
func openFile(path string) (*os.File, string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", 0, errors.Wrap(err, "data")
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, "", 0, errors.Wrap(err, "data")
	}
	return f, filepath.Base(path), st.Size(), nil
}

// loadWith opens path and calls read on it with the file's base name.
func loadWith[T any](path string, read func(r io.Reader, name string) (T, error)) (T, error) {
	var zero T
	f, name, _, err := openFile(path)
	if err != nil {
		return zero, err
	}
	defer f.Close()
	return read(f, name)
}
