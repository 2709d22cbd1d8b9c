package compiler_test

import (
	"fmt"
	"sync"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
)

// Independent graphs built, compiled and run on many goroutines at once
// share nothing mutable (run with go test -race -run TestConcurrent: the
// first concurrent G.Grad calls raced on the hash that Gorgonia caches in
// its package-level constant nodes, until compiler's init computed them).
func TestConcurrentCompilesAndRuns(t *testing.T) {
	for round := 0; round < 3; round++ {
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := compileAndRun(tensor.Float64, i); err != nil {
					t.Error(err)
				}
				if err := compileAndRun(tensor.Float32, i); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
}

// compileAndRun builds sum(square(tanh(x·W)) + sqrt(x·x)) on a fresh graph, compiles it and
// runs it a few times.
func compileAndRun(dt tensor.Dtype, seed int) error {
	g := G.NewGraph()
	x, err := compiler.NewInput(g, "x", dt, 4, 3)
	if err != nil {
		return err
	}
	wv := tensor.New(tensor.Of(dt), tensor.WithShape(3, 2))
	for i := 0; i < 6; i++ {
		v := 0.1 * float64((i+seed)%5+1)
		if dt == tensor.Float32 {
			wv.Float32s()[i] = float32(v)
		} else {
			wv.Float64s()[i] = v
		}
	}
	w, err := compiler.NewParam(g, "W", wv)
	if err != nil {
		return err
	}
	h := G.Must(G.Tanh(G.Must(G.Mul(x, w))))
	sq := G.Must(G.Sum(G.Must(G.Square(h))))
	rt := G.Must(G.Sum(G.Must(G.Sqrt(G.Must(G.HadamardProd(x, x))))))
	loss := G.Must(G.Add(sq, rt))
	p, err := compiler.Compile(loss, []*G.Node{w})
	if err != nil {
		return err
	}
	defer p.Close()
	xv := tensor.New(tensor.Of(dt), tensor.WithShape(4, 3))
	if dt == tensor.Float32 {
		for i := range xv.Float32s() {
			xv.Float32s()[i] = float32(i+1) / 12
		}
	} else {
		for i := range xv.Float64s() {
			xv.Float64s()[i] = float64(i+1) / 12
		}
	}
	if err := p.Bind("x", xv); err != nil {
		return err
	}
	for i := 0; i < 3; i++ {
		if err := p.RunTrain(); err != nil {
			return fmt.Errorf("%v: %w", dt, err)
		}
	}
	return nil
}
