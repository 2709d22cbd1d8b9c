package data

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzCSV feeds arbitrary text to the three CSV readers: none may panic, an
// error must be one of ours, and a dataset returned must be valid. The seed
// corpus is in testdata/fuzz/FuzzCSV.
func FuzzCSV(f *testing.F) {
	f.Add([]byte("a,b,y\n1,2,0\n3,4,1\n"), true, true, -1)
	f.Add([]byte("150,4,setosa,versicolor,virginica\n5.1,3.5,1.4,0.2,0\n"), false, false, 0)
	f.Fuzz(func(t *testing.T, text []byte, header, classes bool, target int) {
		col := ColumnAt(target)
		if target == 99 {
			col = ColumnNamed("y")
		}
		cfg := CSVConfig{Header: header, Classes: classes, Target: col}
		d, err := ReadCSV(bytes.NewReader(text), "fuzz.csv", cfg)
		checkFuzzResult(t, d, err)
		d, err = ReadSklearnCSV(bytes.NewReader(text), "fuzz.csv")
		checkFuzzResult(t, d, err)
		d, err = ReadSklearnDigits(bytes.NewReader(text), "fuzz.csv")
		checkFuzzResult(t, d, err)
	})
}

// checkFuzzResult fails on a foreign error or an invalid dataset.
func checkFuzzResult(t *testing.T, d *Dataset, err error) {
	t.Helper()
	if err != nil {
		if d != nil || !strings.HasPrefix(err.Error(), "data: ") {
			t.Fatalf("error %q (dataset %v)", err, d)
		}
		return
	}
	if err := d.Validate(); err != nil {
		t.Fatalf("returned an invalid dataset: %v", err)
	}
}

// FuzzIDX feeds arbitrary bytes to ReadIDX: it may not panic nor allocate
// from an absurd header, an error must be one of ours, and an uncompressed
// input it accepts must be written back byte for byte by WriteIDX. The seed
// corpus is in testdata/fuzz/FuzzIDX.
func FuzzIDX(f *testing.F) {
	f.Add([]byte{0, 0, 8, 1, 0, 0, 0, 2, 7, 9})
	f.Add([]byte{0, 0, 0x0E, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, raw []byte) {
		x, err := ReadIDX(bytes.NewReader(raw), "fuzz.idx")
		if err != nil {
			if x != nil || !strings.HasPrefix(err.Error(), "data: ") {
				t.Fatalf("error %q (tensor %v)", err, x)
			}
			return
		}
		if len(raw) >= 2 && raw[0] == gzipMagic[0] && raw[1] == gzipMagic[1] {
			return
		}
		var buf bytes.Buffer
		if err := WriteIDX(&buf, x); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), raw) {
			t.Fatalf("round trip % x, want % x", buf.Bytes(), raw)
		}
	})
}
