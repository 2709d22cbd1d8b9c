package data

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf8"
)

// DefaultMaxBytes is the default limit on the bytes a loader reads from
// one file after decompression (256 MiB): a 1 MB gzip bomb that inflates
// to gigabytes is refused once it passes the limit, with a
// *TooLargeError naming the file, instead of exhausting memory. Raise it
// with CSVConfig.MaxBytes or the MaxBytes option.
const DefaultMaxBytes = 256 << 20

// ReadOption changes how ReadIDX, LoadIDX, LoadMNIST and the scikit-learn
// readers read a file.
type ReadOption func(*readConfig)

type readConfig struct{ maxBytes int64 }

// MaxBytes sets the limit on the bytes read from a file, after gzip
// decompression: 0 means DefaultMaxBytes, a negative n no limit.
func MaxBytes(n int64) ReadOption { return func(c *readConfig) { c.maxBytes = n } }

// limitOf resolves a MaxBytes value: 0 is the default, negative no limit.
func limitOf(n int64) int64 {
	switch {
	case n == 0:
		return DefaultMaxBytes
	case n < 0:
		return math.MaxInt64
	}
	return n
}

// readLimit is the limit the options set.
func readLimit(opts []ReadOption) int64 {
	var c readConfig
	for _, o := range opts {
		o(&c)
	}
	return limitOf(c.maxBytes)
}

// TooLargeError is returned when a file holds (or inflates to) more bytes
// than the limit.
type TooLargeError struct {
	// Name is the file's name; Limit the limit in bytes.
	Name  string
	Limit int64
	// Gzip says the limit was passed by the decompressed stream.
	Gzip bool
	// Need, when known (an IDX header's declared data size), is the bytes
	// the data would need, starting at byte offset Offset; 0 otherwise.
	Need, Offset int64
}

func (e *TooLargeError) Error() string {
	what := "holds"
	if e.Gzip {
		what = "decompresses to"
	}
	const raise = "(raise the limit with CSVConfig.MaxBytes or data.MaxBytes)"
	if e.Need > 0 {
		return fmt.Sprintf("data: %s: byte offset %d: the header declares %d bytes of data, more than the limit of %d bytes %s",
			e.Name, e.Offset, e.Need, e.Limit, raise)
	}
	return fmt.Sprintf("data: %s: the file %s more than %d bytes %s", e.Name, what, e.Limit, raise)
}

// limitedReader reads at most limit bytes of r, then fails with a
// *TooLargeError if more follow.
type limitedReader struct {
	r    io.Reader
	left int64
	err  *TooLargeError
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var one [1]byte
		if n, _ := io.ReadFull(l.r, one[:]); n > 0 {
			return 0, l.err
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// maxQuote is the most bytes of a field or name an error message quotes.
const maxQuote = 64

// quoteShort quotes s for an error message, cut to maxQuote bytes (at a
// rune boundary) with the length of the whole when it is longer: a 100 MB
// field is never copied into a message.
func quoteShort(s string) string {
	if len(s) <= maxQuote {
		return strconv.Quote(s)
	}
	cut := maxQuote
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "... (" + strconv.Itoa(len(s)) + " bytes)"
}

// quoteAll quotes each of ss with quoteShort, at most 20 of them.
func quoteAll(ss []string) string {
	out := "["
	for i, s := range ss {
		if i == 20 {
			out += " ... (" + strconv.Itoa(len(ss)) + " names)"
			break
		}
		if i > 0 {
			out += " "
		}
		out += quoteShort(s)
	}
	return out + "]"
}
