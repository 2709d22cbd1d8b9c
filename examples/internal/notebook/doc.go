// Package notebook holds the little that symgrad's example programs share:
// the program itself (Example: its flags, -quick, -seed and -out, the run
// and its exit), the output folder, step headings and "wrote" lines for
// the printed narrative, line plots with labelled axes and legends saved
// as PNG, a multilayer perceptron builder, and the pairing of a compiled
// program's parameters with their gradients for an optimizer. Package
// notebooktest runs the examples in their tests through the same flags.
//
// It is internal to examples/: the library packages never import it.
package notebook
