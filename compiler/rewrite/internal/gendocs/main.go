// Command gendocs writes docs/rules.md from the default rewrite rules:
//
//	go run ./internal/gendocs -o ../../docs/rules.md   (from compiler/rewrite, via go generate)
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/symgrad/symgrad/compiler/rewrite"
)

func main() {
	out := flag.String("o", "docs/rules.md", "output file")
	flag.Parse()
	var b bytes.Buffer
	if err := rewrite.WriteDocs(&b); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}
