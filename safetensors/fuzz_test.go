package safetensors

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to Decode. It must not panic, every error
// must be an *Error, and whatever decodes must re-encode to a file that
// decodes to the same tensors and metadata and re-encodes to the same bytes.
// Seeds: testdata/fuzz/FuzzDecode/ (valid files and damaged ones) and the
// files built in the tests.
func FuzzDecode(f *testing.F) {
	f.Add(goldenBytes())
	for _, c := range corruptCases {
		f.Add(c.file)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Decode(data)
		if err != nil {
			asError(t, err)
			return
		}
		var enc bytes.Buffer
		if err := Encode(&enc, file.Tensors, file.Metadata); err != nil {
			t.Fatalf("decoded file does not re-encode: %v", err)
		}
		again, err := Decode(enc.Bytes())
		if err != nil {
			t.Fatalf("re-encoded file does not decode: %v", err)
		}
		if len(again.Tensors) != len(file.Tensors) || !mapsEqual(again.Metadata, file.Metadata) {
			t.Fatalf("re-encoding changed the contents: %v / %v", again.Order, file.Order)
		}
		for name, want := range file.Tensors {
			sameTensor(t, name, again.Tensors[name], want)
		}
		if b := encode(t, again.Tensors, again.Metadata); !bytes.Equal(b, enc.Bytes()) {
			t.Fatalf("encoding is not stable:\n%q\n%q", b, enc.Bytes())
		}
	})
}

// TestSeedCorpus checks that the checked-in seeds are what their names say:
// valid_* files decode, invalid_* files do not.
func TestSeedCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) == 0 {
		t.Fatalf("no seed corpus in %s: %v", dir, err)
	}
	for _, e := range ents {
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		lit, ok := strings.CutPrefix(string(raw), "go test fuzz v1\n[]byte(")
		lit, ok2 := strings.CutSuffix(lit, ")\n")
		data, err := strconv.Unquote(lit)
		if !ok || !ok2 || err != nil {
			t.Fatalf("%s: not a one-[]byte corpus file: %v", e.Name(), err)
		}
		_, err = Decode([]byte(data))
		if valid := strings.HasPrefix(e.Name(), "valid_"); valid != (err == nil) {
			t.Errorf("%s: Decode error %v", e.Name(), err)
		}
	}
}
