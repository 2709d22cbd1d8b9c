package safetensors

import (
	"io"

	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/atomicfile"
)

// Write writes tensors and metadata to the file at path (see Encode for the
// layout and the checks), atomically: the file at path is either left as it
// was or replaced whole by the new one, even if the process dies midway.
//
// It validates everything first, writes to a new temporary file in the
// target's directory (a crash may leave one behind; the next Write removes
// it), fsyncs and closes it, renames it over the target and fsyncs the
// directory. A symbolic link is written through: its final target is
// replaced and the link stays. A path that is not a regular file (a device,
// a FIFO, a directory) is refused, never replaced. On any error the
// temporary file is removed. A file replaced keeps its permission bits; a
// new one gets 0666 less the umask.
func Write(path string, tensors map[string]*tensor.Dense, metadata map[string]string) error {
	p, err := newPlan(tensors, metadata)
	if err != nil {
		return at(err, "write", path)
	}
	return at(writeAtomic(path, p.writeTo), "write", path)
}

// writeAtomic replaces the file at path with the bytes that fill writes
// (internal/atomicfile: through a temporary file renamed into place, links
// followed, special files refused). Tests pass a fill that fails or exits
// midway to show that the old file survives.
func writeAtomic(path string, fill func(io.Writer) error) error {
	return atomicfile.Write(path, fill)
}
