package notebook

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"gorgonia.org/tensor"
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

// BindBatch binds a batch to a program (a compiler.Program or
// HVPProgram): x to its input "x", y to its input "y".
func BindBatch(p interface {
	Bind(name string, v tensor.Tensor) error
}, x, y tensor.Tensor) error {
	if err := p.Bind("x", x); err != nil {
		return err
	}
	return p.Bind("y", y)
}
