// Command gendocs writes docs/ops.md from the ops registry:
//
//	go run ./internal/gendocs -o ../docs/ops.md   (from ops/, via go generate)
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/symgrad/symgrad/ops"
)

func main() {
	out := flag.String("o", "docs/ops.md", "output file")
	flag.Parse()
	var b bytes.Buffer
	if err := ops.WriteDocs(&b); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}
