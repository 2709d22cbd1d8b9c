// Package notebook holds the little that symgrad's example programs share:
// the program itself (Example: its flags, -quick, -seed and -out, the run
// and its exit), the output folder, step headings and "wrote" lines for
// the printed narrative, line plots and marks with labelled axes and
// legends in train's style, saved as PNG, a multilayer perceptron builder
// (Net), and binding a batch to a program. Package notebooktest runs the
// examples in their tests through the same flags.
//
// It is internal to examples/: the library packages never import it.
package notebook
