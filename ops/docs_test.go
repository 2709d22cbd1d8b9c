package ops_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/symgrad/symgrad/ops"
)

// TestDocsInSync regenerates docs/ops.md in memory and compares it with the
// file: run `go generate ./ops` after changing the registry.
func TestDocsInSync(t *testing.T) {
	var b bytes.Buffer
	if err := ops.WriteDocs(&b); err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile("../docs/ops.md")
	if err != nil {
		t.Fatalf("%v (run go generate ./ops)", err)
	}
	if !bytes.Equal(have, b.Bytes()) {
		t.Fatal("docs/ops.md is out of date: run go generate ./ops")
	}
}
