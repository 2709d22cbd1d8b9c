// Package notebook holds the little that symgrad's example programs share:
// the output folder, step headings for the printed narrative, line plots
// with labelled axes and legends saved as PNG, and the pairing of a
// compiled program's parameters with their gradients for an optimizer.
//
// It is internal to examples/: the library packages never import it.
package notebook
