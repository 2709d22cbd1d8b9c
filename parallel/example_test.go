package parallel_test

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/parallel"
)

// A hand-written data-parallel loop: two replicas of simplenet, four
// samples each, one Adam step per global batch of eight.
func ExampleNew() {
	build := func(int) (*models.Model, error) {
		return models.Build("simplenet", models.Config{Batch: 4, Seed: 1})
	}
	g, err := parallel.New(build, parallel.Config{Replicas: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer g.Close()
	opt, _ := optimizers.NewAdam(optimizers.AdamConfig{LR: 1e-3})
	// Rank 0's weights everywhere (a no-op in one process).
	if err := g.Broadcast(opt); err != nil {
		fmt.Println(err)
		return
	}
	stream, _ := parallel.NewStream(g.Master(), 1)
	x := tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(g.LocalBatch(), 100))
	y := tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(g.LocalBatch(), 1))
	for step := 0; step < 3; step++ {
		_ = stream.Fill(step, 0, x, y) // this process's rows of the global batch
		if err := g.Bind(x, y); err != nil {
			fmt.Println(err)
			return
		}
		if err := g.RunTrain(); err != nil { // the replicas at once, gradients averaged
			fmt.Println(err)
			return
		}
		if err := opt.Step(g.Params()); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("step %d: loss %.4f\n", step, g.Loss())
	}
	fmt.Printf("%d replicas of %d samples, global batch %d\n", g.Replicas(), g.ShardSize(), g.GlobalBatch())
	// Output:
	// step 0: loss 0.2944
	// step 1: loss 0.3521
	// step 2: loss 0.2145
	// 2 replicas of 4 samples, global batch 8
}

// Batch norm is synchronized over the shards (SyncBatchNorm): two replicas
// of mlpbn, four samples each, normalize with the statistics of the whole
// batch of eight, and their gradients are those of one program on it.
func ExampleGroup_SyncBatchNorm() {
	build := func(int) (*models.Model, error) {
		return models.Build("mlpbn", models.Config{Batch: 4, Seed: 1})
	}
	g, err := parallel.New(build, parallel.Config{Replicas: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer g.Close()
	one, _ := models.Build("mlpbn", models.Config{Batch: 8, Seed: 1})
	prog, _ := one.Compile()
	defer prog.Close()
	x := tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(8, 100))
	y := tensor.New(tensor.Of(tensor.Float64), tensor.WithShape(8, 1))
	stream, _ := parallel.NewStream(g.Master(), 1)
	_ = stream.Fill(0, 0, x, y)
	_ = g.Bind(x, y)
	_ = prog.Bind("x", x)
	_ = prog.Bind("y", y)
	if err := g.RunTrain(); err != nil {
		fmt.Println(err)
		return
	}
	_ = prog.RunTrain()
	worst := 0.0
	for i, p := range g.Params() {
		for j, v := range p.Grad.Float64s() {
			worst = max(worst, math.Abs(v-prog.Params()[i].Grad.Float64s()[j]))
		}
	}
	fmt.Println("synchronized:", g.SyncBatchNorm())
	fmt.Println("gradients of one program on the whole batch:", worst < 1e-12)
	// Output:
	// synchronized: true
	// gradients of one program on the whole batch: true
}
