package fuzzcorpus

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// What Encode writes, Read reads back, any bytes included.
func TestEncodeRead(t *testing.T) {
	dir := t.TempDir()
	want := []Seed{{"a", []byte("\x00\xff\"q\n")}, {"b", []byte{}}}
	for _, s := range want {
		if err := os.WriteFile(filepath.Join(dir, s.Name), Encode(s.Data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := Read(t, dir)
	if len(got) != len(want) {
		t.Fatalf("read %d seeds, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Name != want[i].Name || !bytes.Equal(got[i].Data, want[i].Data) {
			t.Errorf("seed %d = %q %q, want %q %q", i, got[i].Name, got[i].Data, want[i].Name, want[i].Data)
		}
	}
	if e := string(Encode([]byte("x"))); e != "go test fuzz v1\n[]byte(\"x\")\n" {
		t.Errorf("Encode = %q", e)
	}
}
