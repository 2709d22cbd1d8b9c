package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// gzipped compresses n bytes of pattern repeated (after head).
func gzipped(t *testing.T, head []byte, pattern string, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(head)
	chunk := []byte(strings.Repeat(pattern, 1<<16/len(pattern)))
	for written := 0; written < n; written += len(chunk) {
		if _, err := zw.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// idxU8Header is an IDX header of uint8 values and the given dimensions.
func idxU8Header(dims ...uint32) []byte {
	out := []byte{0, 0, 0x08, byte(len(dims))}
	for _, d := range dims {
		out = binary.BigEndian.AppendUint32(out, d)
	}
	return out
}

// TestLoadersRefuseBombs: every loader stops at its inflated-size limit
// with a *TooLargeError naming the file, fast and without allocating what
// the file claims.
func TestLoadersRefuseBombs(t *testing.T) {
	csvBomb := gzipped(t, nil, "0,0,0,0\n", 8<<20)              // 8 MiB of rows, ~10 KB gzipped
	idxBomb := gzipped(t, idxU8Header(1<<30, 2), "\x00", 4<<20) // declares 2 GiB
	idxSmall := gzipped(t, idxU8Header(1<<20), "\x00", 1<<20)   // 1 MiB, legitimately
	cases := []struct {
		name string
		read func() error
		need int64 // TooLargeError.Need, 0 when not known
	}{
		{"csv gz over a 1 MiB limit", func() error {
			_, err := ReadCSV(bytes.NewReader(csvBomb), "bomb.csv.gz", CSVConfig{MaxBytes: 1 << 20})
			return err
		}, 0},
		{"plain csv over a 100-byte limit", func() error {
			_, err := ReadCSV(strings.NewReader(strings.Repeat("1,2\n", 100)), "big.csv", CSVConfig{MaxBytes: 100})
			return err
		}, 0},
		{"sklearn digits gz", func() error {
			_, err := ReadSklearnDigits(bytes.NewReader(csvBomb), "bomb.csv.gz", MaxBytes(1<<20))
			return err
		}, 0},
		{"sklearn csv gz", func() error {
			_, err := ReadSklearnCSV(bytes.NewReader(gzipped(t, []byte("999999999,3\n"), "0,0,0,0\n", 8<<20)), "bomb.csv.gz", MaxBytes(1<<20))
			return err
		}, 0},
		{"idx gz declaring 2 GiB, default limit", func() error {
			_, err := ReadIDX(bytes.NewReader(idxBomb), "bomb.idx.gz")
			return err
		}, 2 << 30},
		{"idx gz under a lowered limit", func() error {
			_, err := ReadIDX(bytes.NewReader(idxSmall), "small.idx.gz", MaxBytes(1000))
			return err
		}, 1 << 20},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			err := c.read()
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
			var big *TooLargeError
			if !errors.As(err, &big) {
				t.Fatalf("err = %v, want a *TooLargeError", err)
			}
			if !strings.Contains(err.Error(), ".gz") && !strings.Contains(err.Error(), "big.csv") {
				t.Errorf("error does not name the file: %v", err)
			}
			if big.Need != c.need {
				t.Errorf("Need = %d, want %d", big.Need, c.need)
			}
		})
	}
}

// TestLimitIsExact: a file of exactly the limit loads; one byte more does
// not. A negative limit is none.
func TestLimitIsExact(t *testing.T) {
	text := "1,2\n3,4\n"
	if _, err := ReadCSV(strings.NewReader(text), "a.csv", CSVConfig{MaxBytes: int64(len(text))}); err != nil {
		t.Errorf("at the limit: %v", err)
	}
	if _, err := ReadCSV(strings.NewReader(text), "a.csv", CSVConfig{MaxBytes: int64(len(text) - 1)}); err == nil {
		t.Error("one byte over the limit loaded")
	}
	if _, err := ReadCSV(strings.NewReader(text), "a.csv", CSVConfig{MaxBytes: -1}); err != nil {
		t.Errorf("no limit: %v", err)
	}
	if limitOf(0) != DefaultMaxBytes {
		t.Errorf("limitOf(0) = %d", limitOf(0))
	}
	// An IDX file of exactly the limit, and one with a byte beyond it.
	raw := append(idxU8Header(4), 1, 2, 3, 4)
	if _, err := ReadIDX(bytes.NewReader(raw), "a.idx", MaxBytes(int64(len(raw)))); err != nil {
		t.Errorf("idx at the limit: %v", err)
	}
	if _, err := ReadIDX(bytes.NewReader(append(raw, 9)), "a.idx", MaxBytes(int64(len(raw)))); err == nil ||
		!strings.Contains(err.Error(), "unexpected data after") {
		t.Errorf("idx with a byte beyond the limit: %v", err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "a.idx")
	if err := os.WriteFile(p, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadIDX(p, MaxBytes(3)); err == nil {
		t.Error("LoadIDX ignored MaxBytes")
	}
}

// TestCSVErrorsDoNotQuoteHugeFields: a bad 1 MB field (or header name) is
// cut in the message.
func TestCSVErrorsDoNotQuoteHugeFields(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	cases := []struct {
		name, text string
		cfg        CSVConfig
	}{
		{"bad field", "1," + huge + "\n", CSVConfig{}},
		{"bad field under a huge header", "a," + huge + "\n1,zz\n", CSVConfig{Header: true}},
		{"no such column", "a," + huge + "\n1,2\n", CSVConfig{Header: true, Target: ColumnNamed("q")}},
	}
	for _, c := range cases {
		_, err := ReadCSV(strings.NewReader(c.text), "f.csv", c.cfg)
		if err == nil {
			t.Fatalf("%s: no error", c.name)
		}
		if n := len(err.Error()); n > 500 {
			t.Errorf("%s: message of %d bytes", c.name, n)
		}
		if !strings.Contains(err.Error(), "f.csv") {
			t.Errorf("%s: %v does not name the file", c.name, err)
		}
	}
	if got := quoteShort("short"); got != `"short"` {
		t.Errorf("quoteShort = %s", got)
	}
	if got := quoteShort(strings.Repeat("é", 100)); !strings.HasSuffix(got, "(200 bytes)") {
		t.Errorf("quoteShort = %s", got)
	}
}
