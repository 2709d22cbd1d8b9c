package notebook

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/optimizers"
)

// OutDir returns the output folder for example name: dir when it is not
// empty, else out/<name> under the working directory. The folder is
// created with its parents.
func OutDir(dir, name string) (string, error) {
	if dir == "" {
		dir = filepath.Join("out", name)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating the output folder: %w", err)
	}
	return dir, nil
}

// Step prints a notebook heading, "## Step n: title", after a blank line.
func Step(w io.Writer, n int, title string) {
	fmt.Fprintf(w, "\n## Step %d: %s\n", n, title)
}

// OptimizerParams pairs each parameter's value with its gradient tensor,
// as optimizers.Optimizer.Step takes them. The program's tensors stay put
// from run to run, so the slice is built once.
func OptimizerParams(p *compiler.Program) []optimizers.Param {
	return optimizers.ParamsOf(p)
}
