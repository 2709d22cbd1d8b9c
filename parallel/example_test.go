package parallel_test

import (
	"fmt"

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
