// Command attention trains a small Transformer encoder to reverse
// sequences of digits: given 3 1 4 1 5 9 2 6 it must output 6 2 9 5 1 4 1 3,
// one classification (of 10 digits) per position. Each output position
// needs the input digit at the mirrored position, so the network has to
// route information between positions: that is what self-attention does,
// and after training its attention weights show it (the heat map is an
// anti-diagonal). The model is a Linear embedding without bias (of the
// one-hot digit and the one-hot position), one pre-norm
// TransformerEncoderLayer (d_model 32, 4 heads, GELU), and a Linear read
// out at every position, trained with Adam on CrossEntropy over freshly
// drawn sequences. It prints the accuracy before and after, a worked
// example, and saves the loss curve (loss.png) and the attention weights
// of the worked example (attention.png) in the output folder. The full
// run (sequences of 10, 400 steps) takes about half a minute on two cores.
//
//	go run ./examples/attention
//	go run ./examples/attention -quick -out /tmp/attention
package main

import (
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/examples/internal/notebook"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/optimizers"
)

// settings are the program's knobs.
type settings struct {
	length int // sequence length
	steps  int // training steps
	batch  int
	lr     float64
	seed   uint64
	out    string // output folder; "" means out/attention
}

func main() { example.Main() }

// example is the program: its flags, its quick run and its run.
var example = notebook.Example[settings, *result]{
	Name: "attention",
	Flags: func(fs *flag.FlagSet, s *settings) {
		fs.IntVar(&s.length, "length", 10, "sequence length (even: an odd length's middle digit stays put)")
		fs.IntVar(&s.steps, "steps", 400, "training steps (one fresh batch each)")
		fs.IntVar(&s.batch, "batch", 64, "sequences per batch")
		fs.Float64Var(&s.lr, "lr", 3e-3, "Adam learning rate")
		notebook.SeedFlag(fs, &s.seed, "the weights and the sequences")
		notebook.OutFlag(fs, &s.out, "attention")
	},
	Quick: func(s *settings) { s.length, s.steps = 6, 150 },
	Run:   runExample,
}

// result is what a run establishes, for the test.
type result struct {
	before, after       float64 // per-digit test accuracy
	seqBefore, seqAfter float64 // whole sequences right
	control             float64 // per-digit test accuracy of the network without attention
	mirror              float64 // mean attention weight on the mirrored position
	losses              []float64
	files               []string
}

// runExample trains the network and prints its narrative to out.
func runExample(s settings, out io.Writer) (*result, error) {
	if s.length < 2 || s.steps < 1 || s.batch < 1 || !(s.lr > 0) {
		return nil, fmt.Errorf("need length >= 2, steps >= 1, batch >= 1 and lr > 0, got %+v", s)
	}
	dir, err := notebook.OutDir(s.out, "attention")
	if err != nil {
		return nil, err
	}
	res := &result{}
	rng := models.NewRNG(s.seed + 1000)

	notebook.Step(out, 1, "the task: reverse a sequence of digits")
	n, err := newNet(s.batch, s.length, s.seed, true)
	if err != nil {
		return nil, err
	}
	p, err := n.compile()
	if err != nil {
		return nil, err
	}
	defer p.Close()
	test := sequences(rng, 8*s.batch, s.length)
	fmt.Fprintf(out, "  sequences of %d digits 0-9, uniformly drawn; target at position i: the digit at position %d-i\n", s.length, s.length-1)
	fmt.Fprintf(out, "  model: embed Linear(%d, %d, bias=False) on one-hot digit+position, 1 TransformerEncoderLayer(%d, %d heads, ff %d, pre-norm, gelu), Linear(%d, 10)\n",
		digits+s.length, width, width, heads, ff, width)
	fmt.Fprintf(out, "  %d parameters; %s\n", paramCount(n), p.Stats())
	if res.before, res.seqBefore, err = accuracy(p, test, s.batch); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "  before training: %.1f%% of test digits right (chance 10%%), %.1f%% of sequences\n", 100*res.before, 100*res.seqBefore)

	notebook.Step(out, 2, "training")
	if err := trainNet(p, s, rng, res, out); err != nil {
		return nil, err
	}
	if res.after, res.seqAfter, err = accuracy(p, test, s.batch); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "  after training: %.1f%% of test digits right, %.1f%% of the %d test sequences entirely right\n", 100*res.after, 100*res.seqAfter, len(test))
	if res.control, err = control(s, test, out); err != nil {
		return nil, err
	}

	notebook.Step(out, 3, "a worked example and what the layer attends to")
	example := test[:s.batch]
	if err := run(p, example, false); err != nil {
		return nil, err
	}
	pred := predictions(p)
	w := p.Output(1).Data().([]float64) // [B, L, L]
	l := s.length
	fmt.Fprintf(out, "  input     %s\n  target    %s\n  predicted %s\n", digitsOf(example[0]), digitsOf(reversed(example[0])), digitsOf(pred[:l]))
	for b := range example {
		for i := range l {
			res.mirror += w[(b*l+i)*l+(l-1-i)] / float64(len(example)*l)
		}
	}
	fmt.Fprintf(out, "  mean attention weight (over heads) that position i gives position %d-i: %.2f (uniform attention would give %.2f)\n", l-1, res.mirror, 1/float64(l))
	curve, heat := filepath.Join(dir, "loss.png"), filepath.Join(dir, "attention.png")
	if err := plotLoss(curve, res.losses); err != nil {
		return nil, err
	}
	if err := plotAttention(heat, w[:l*l], example[0]); err != nil {
		return nil, err
	}
	res.files = append(res.files, curve, heat)
	fmt.Fprintln(out)
	notebook.Wrote(out, res.files...)
	return res, nil
}

// trainNet runs s.steps Adam steps, each on a fresh batch, recording the
// loss and printing it every tenth of the run.
func trainNet(p *compiler.Program, s settings, rng *rand.Rand, res *result, out io.Writer) error {
	opt, err := optimizers.NewAdam(optimizers.AdamConfig{LR: s.lr})
	if err != nil {
		return err
	}
	params := optimizers.ParamsOf(p)
	fmt.Fprintf(out, "  Adam lr %g, %d steps of %d fresh sequences (the network never sees a sequence twice)\n", s.lr, s.steps, s.batch)
	every := max(1, s.steps/10)
	for step := range s.steps {
		if err := run(p, sequences(rng, s.batch, s.length), true); err != nil {
			return fmt.Errorf("step %d: %w", step, err)
		}
		res.losses = append(res.losses, p.Loss())
		if err := opt.Step(params); err != nil {
			return err
		}
		if (step+1)%every == 0 || step == 0 {
			fmt.Fprintf(out, "  step %4d: loss %.4f\n", step+1, p.Loss())
		}
	}
	return nil
}

// control trains the same network with a position-wise block in place of
// the attention layer, as long and on the same kind of batches, and
// returns its per-digit test accuracy.
func control(s settings, test [][]int, out io.Writer) (float64, error) {
	n, err := newNet(s.batch, s.length, s.seed, false)
	if err != nil {
		return 0, err
	}
	p, err := n.compile()
	if err != nil {
		return 0, err
	}
	defer p.Close()
	var quiet result
	if err := trainNet(p, s, models.NewRNG(s.seed+2000), &quiet, io.Discard); err != nil {
		return 0, err
	}
	acc, _, err := accuracy(p, test, s.batch)
	if err != nil {
		return 0, err
	}
	fmt.Fprintf(out, "  the control, attention replaced by a position-wise Linear-GELU-Linear block (%d parameters), trained alike:\n", paramCount(n))
	fmt.Fprintf(out, "  %.1f%% of test digits right, final training loss %.3f (ln 10 = 2.303): each position sees only its own digit\n", 100*acc, quiet.losses[len(quiet.losses)-1])
	return acc, nil
}

func paramCount(n *net) int {
	c := 0
	for _, p := range n.params {
		c += p.Shape().TotalSize()
	}
	return c
}

func digitsOf(d []int) string {
	var b strings.Builder
	for i, v := range d {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprint(&b, v)
	}
	return b.String()
}

func reversed(d []int) []int {
	out := make([]int, len(d))
	for i, v := range d {
		out[len(d)-1-i] = v
	}
	return out
}
