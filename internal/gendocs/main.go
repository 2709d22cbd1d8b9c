// Command gendocs writes the generated pages of docs/ from what they
// document: docs/ops.md from the ops registry, docs/rules.md from the
// default rewrite rules. go generate runs it (ops/docs.go,
// compiler/rewrite/docs.go):
//
//	go run ../internal/gendocs -ops ../docs/ops.md                (from ops/)
//	go run ../../internal/gendocs -rules ../../docs/rules.md      (from compiler/rewrite/)
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/symgrad/symgrad/compiler/rewrite"
	"github.com/symgrad/symgrad/ops"
)

func main() {
	opsPath := flag.String("ops", "", "write the ops page to this file")
	rulesPath := flag.String("rules", "", "write the rewrite rules page to this file")
	flag.Parse()
	for _, page := range []struct {
		path  string
		write func(io.Writer) error
	}{{*opsPath, ops.WriteDocs}, {*rulesPath, rewrite.WriteDocs}} {
		if page.path == "" {
			continue
		}
		var b bytes.Buffer
		if err := page.write(&b); err != nil {
			fmt.Fprintln(os.Stderr, "gendocs:", err)
			os.Exit(1)
		}
		if err := os.WriteFile(page.path, b.Bytes(), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gendocs:", err)
			os.Exit(1)
		}
	}
}
