package safetensors

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/symgrad/symgrad/internal/fuzzcorpus"
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
	for _, s := range fuzzcorpus.Read(t, filepath.Join("testdata", "fuzz", "FuzzDecode")) {
		_, err := Decode(s.Data)
		if valid := strings.HasPrefix(s.Name, "valid_"); valid != (err == nil) {
			t.Errorf("%s: Decode error %v", s.Name, err)
		}
	}
}
