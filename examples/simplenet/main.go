// Command simplenet is the seed's program in Go: a 100 -> 50 -> 1 network
// with ReLU, trained on synthetic regression data with mean squared error
// and plain SGD (learning rate 0.01) for 100 epochs of shuffled
// mini-batches, printing each epoch's mean training loss.
//
//	go run ./examples/simplenet
//	go run ./examples/simplenet -quick
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/examples/internal/notebook"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/optimizers"
)

// settings are the program's knobs; the defaults are the seed's.
type settings struct {
	epochs, samples, batch int
	lr                     float64
	seed                   uint64
}

func main() { example.Main() }

// example is the program: its flags, its quick run and its run.
var example = notebook.Example[settings, []float64]{
	Name: "simplenet",
	Flags: func(fs *flag.FlagSet, s *settings) {
		fs.IntVar(&s.epochs, "epochs", 100, "training epochs (passes over the data)")
		fs.IntVar(&s.samples, "samples", 1024, "number of synthetic samples")
		fs.IntVar(&s.batch, "batch", 32, "mini-batch size")
		fs.Float64Var(&s.lr, "lr", 0.01, "SGD learning rate")
		notebook.SeedFlag(fs, &s.seed, "the data and the initial weights")
	},
	Quick:      func(s *settings) { s.epochs, s.samples = 10, 256 },
	QuickUsage: "a small, fast run (10 epochs, 256 samples)",
	Run:        run,
}

// run trains SimpleNet and returns the mean training loss of every epoch.
func run(s settings, out io.Writer) ([]float64, error) {
	if s.batch <= 0 || s.samples < s.batch || s.epochs <= 0 {
		return nil, fmt.Errorf("need epochs > 0 and 0 < batch <= samples, got epochs %d, batch %d, samples %d", s.epochs, s.batch, s.samples)
	}
	// Step 1: data. x ~ N(0, 1) with 100 features; the target is a fixed
	// random linear function of x plus a little nonlinearity and noise, so
	// there is something for the network to learn.
	x, y := syntheticRegression(s.samples, s.seed)

	// Step 2: the model. models.Build makes the graph of fc1 -> ReLU -> fc2
	// and its MSE loss for one mini-batch, with PyTorch's default
	// initialisation drawn from the seed.
	m, err := models.Build("simplenet", models.Config{Batch: s.batch, Seed: s.seed})
	if err != nil {
		return nil, err
	}

	// Step 3: compile. Gorgonia differentiates the loss symbolically; the
	// program holds the forward graph and its explicit gradient graph.
	prog, err := m.Compile()
	if err != nil {
		return nil, err
	}
	defer prog.Close()
	fmt.Fprintf(out, "SimpleNet: %s\n", prog.Stats())

	// Step 4: train. Each step binds a mini-batch, runs forward and
	// backward (the gradient graph), and lets SGD update the weights in
	// place. The batch order is reshuffled every epoch from the seed.
	opt, err := optimizers.NewSGD(optimizers.SGDConfig{LR: s.lr})
	if err != nil {
		return nil, err
	}
	params := optimizers.ParamsOf(prog) // the parameters with their gradients: the program's own tensors, paired once
	xb := tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(s.batch, 100))
	yb := tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(s.batch, 1))
	rng := rand.New(rand.NewPCG(s.seed, 0x5eed))
	steps := s.samples / s.batch // the last partial batch is dropped
	losses := make([]float64, 0, s.epochs)
	for epoch := 1; epoch <= s.epochs; epoch++ {
		order := rng.Perm(s.samples)
		var sum float64
		for k := 0; k < steps; k++ {
			gather(xb, x, order[k*s.batch:(k+1)*s.batch])
			gather(yb, y, order[k*s.batch:(k+1)*s.batch])
			if err := step(prog, opt, params, xb, yb); err != nil {
				return losses, fmt.Errorf("epoch %d, step %d: %w", epoch, k+1, err)
			}
			sum += prog.Loss()
		}
		losses = append(losses, sum/float64(steps))
		fmt.Fprintf(out, "Epoch [%d/%d], Loss: %.4f\n", epoch, s.epochs, losses[epoch-1])
	}
	return losses, nil
}

// step is one training step: bind the batch, forward + backward, update.
func step(p *compiler.Program, opt optimizers.Optimizer, params []optimizers.Param, x, y *tensor.Dense) error {
	if err := notebook.BindBatch(p, x, y); err != nil {
		return err
	}
	if err := p.RunTrain(); err != nil {
		return err
	}
	return opt.Step(params)
}

// gather copies the rows idx of src into dst.
func gather(dst, src *tensor.Dense, idx []int) {
	cols := src.Shape()[1]
	d, s := dst.Data().([]float64), src.Data().([]float64)
	for i, r := range idx {
		copy(d[i*cols:(i+1)*cols], s[r*cols:(r+1)*cols])
	}
}

// syntheticRegression draws n samples of 100 standard normal features and
// targets y = x·w/√100 + 0.5·tanh(x₀x₁) + 0.1·ε with w, ε ~ N(0, 1).
func syntheticRegression(n int, seed uint64) (x, y *tensor.Dense) {
	rng := rand.New(rand.NewPCG(seed, 0xda7a))
	const features = 100
	w := make([]float64, features)
	for j := range w {
		w[j] = rng.NormFloat64()
	}
	xs := make([]float64, n*features)
	ys := make([]float64, n)
	for i := 0; i < n; i++ {
		row := xs[i*features : (i+1)*features]
		var dot float64
		for j := range row {
			row[j] = rng.NormFloat64()
			dot += row[j] * w[j]
		}
		ys[i] = dot/math.Sqrt(features) + 0.5*math.Tanh(row[0]*row[1]) + 0.1*rng.NormFloat64()
	}
	return tensor.New(tensor.WithShape(n, features), tensor.WithBacking(xs)),
		tensor.New(tensor.WithShape(n, 1), tensor.WithBacking(ys))
}
