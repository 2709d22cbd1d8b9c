// Package fuzzcorpus reads and writes the seed corpus of a fuzz test whose
// one argument is a []byte (testdata/fuzz/<FuzzName>/<seed>), in the
// "go test fuzz v1" encoding go test reads: the tests that check what
// their checked-in seeds are (safetensors, models) share it.
package fuzzcorpus

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// header starts every corpus file of a one-[]byte fuzz test.
const header = "go test fuzz v1\n[]byte("

// Seed is one corpus file: its name and the bytes it holds.
type Seed struct {
	Name string
	Data []byte
}

// Encode returns the corpus file that holds data.
func Encode(data []byte) []byte {
	return fmt.Appendf(nil, "%s%q)\n", header, data)
}

// Read returns the seeds in dir, in file name order. It fails t when dir
// holds none or a file is not a one-[]byte corpus file.
func Read(t testing.TB, dir string) []Seed {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) == 0 {
		t.Fatalf("no seed corpus in %s: %v", dir, err)
	}
	seeds := make([]Seed, len(ents))
	for i, e := range ents {
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		lit, ok := strings.CutPrefix(strings.TrimSpace(string(raw)), header)
		lit, ok2 := strings.CutSuffix(lit, ")")
		data, err := strconv.Unquote(lit)
		if !ok || !ok2 || err != nil {
			t.Fatalf("%s: not a one-[]byte corpus file: %v", e.Name(), err)
		}
		seeds[i] = Seed{e.Name(), []byte(data)}
	}
	return seeds
}
