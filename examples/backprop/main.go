// Command backprop makes the chain rule visible on a two-layer network
//
//	z1 = x @ W1 + b1,   h = tanh(z1),   ŷ = h @ W2 + b2,   L = mean((ŷ - y)²)
//
// with 2 inputs, 3 hidden units, 1 output and a batch of 4 samples. It
// prints the gradient subgraph that Gorgonia's symbolic differentiation
// builds, as formulas (compiler/expr.Format) and as the compiled program's
// listing (Program.Text); works one forward pass with every intermediate
// value, then the backward pass by hand with the chain rule and compares
// each gradient with the program's; takes one SGD step and shows the loss
// go down; and checks the symbolic gradients against central differences
// (gradcheck). It saves, in the output folder, the loss along the negative
// gradient (sgd_step.png), the program listing (program.txt) and its
// Graphviz graph (program.dot: dot -Tpng program.dot -o program.png).
//
//	go run ./examples/backprop
//	go run ./examples/backprop -lr 0.1 -seed 3 -out /tmp/backprop
package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/symgrad/symgrad/examples/internal/notebook"
)

// settings are the program's knobs.
type settings struct {
	lr    float64 // the SGD learning rate of the worked step
	seed  uint64  // seeds the data and the initial weights
	out   string  // output folder; "" means out/backprop
	quick bool    // a coarser loss-along-the-gradient plot
}

func main() { example.Main() }

// example is the program: its flags, its quick run and its run.
var example = notebook.Example[settings, *result]{
	Name: "backprop",
	Flags: func(fs *flag.FlagSet, s *settings) {
		fs.Float64Var(&s.lr, "lr", 0.05, "SGD learning rate of the worked step")
		notebook.SeedFlag(fs, &s.seed, "the data and the initial weights")
		notebook.OutFlag(fs, &s.out, "backprop")
	},
	Quick:      func(s *settings) { s.quick = true },
	QuickUsage: "a smaller run (coarser plot)",
	Run:        run,
}

// result is what a run establishes, for the test.
type result struct {
	lossBefore, lossAfter float64 // the loss before and after the SGD step
	maxHandDiff           float64 // max |hand-computed - symbolic| over every gradient element
	gradcheckOK           bool    // the symbolic gradients match central differences
	files                 []string
}

// run works the example and prints it to out.
func run(s settings, out io.Writer) (*result, error) {
	if !(s.lr > 0) {
		return nil, fmt.Errorf("the learning rate must be positive, got %g", s.lr)
	}
	n, err := newNet(s.seed)
	if err != nil {
		return nil, err
	}
	defer n.prog.Close()
	res := &result{}
	steps := []func(io.Writer, *result, settings) error{
		n.showGraph, n.forward, n.backward, n.sgdStep, n.check, n.save,
	}
	for _, step := range steps {
		if err := step(out, res, s); err != nil {
			return res, err
		}
	}
	return res, nil
}
