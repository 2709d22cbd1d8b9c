package main

import (
	"encoding/binary"
	"strconv"
	"time"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/parallel"
	"github.com/symgrad/symgrad/safetensors"
)

// metaStep is the checkpoint metadata key holding the steps taken.
const metaStep = "distributed.step"

// result is what a run measured.
type result struct {
	first               int           // the step the run started at (> 0 on resume)
	samples             int           // samples trained on after the first step, all ranks together
	elapsed             time.Duration // the time of those steps
	firstLoss, lastLoss float64
}

func (r *result) samplesPerSecond() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.samples) / r.elapsed.Seconds()
}

// train runs o on comm: the replicas, the broadcast of rank 0's state, the
// steps and rank 0's files.
func train(comm parallel.Comm, o options) (*result, error) {
	shard := o.batch / (comm.Size() * o.replicas)
	build := func(int) (*models.Model, error) {
		return models.Build(o.model, models.Config{Batch: shard, Seed: o.seed})
	}
	g, err := parallel.New(build, parallel.Config{Replicas: o.replicas, Comm: comm})
	if err != nil {
		return nil, err
	}
	defer g.Close()
	opt, err := optimizers.NewAdam(optimizers.AdamConfig{LR: 1e-3})
	if err != nil {
		return nil, err
	}
	res := &result{}
	if res.first, err = resume(g, opt, o.resume); err != nil {
		return nil, err
	}
	if err := g.Broadcast(opt); err != nil {
		return nil, err
	}
	if err := loop(g, opt, o, res); err != nil {
		return nil, err
	}
	if comm.Rank() != 0 || o.out == "" {
		return res, nil
	}
	return res, errors.Wrap(models.SaveCheckpoint(o.out, g.Master(), nil, nil), "final weights")
}

// loop runs steps res.first .. o.steps-1.
func loop(g *parallel.Group, opt optimizers.Optimizer, o options, res *result) error {
	stream, err := parallel.NewStream(g.Master(), o.seed)
	if err != nil {
		return err
	}
	x, y := localBatch(g)
	rank := g.Comm().Rank()
	var start time.Time
	for step := res.first; step < o.steps; step++ {
		if step == res.first+1 { // the first step warms up: time the rest
			start = time.Now()
		}
		// This rank's rows of the global batch: shards rank·R .. rank·R+R-1.
		if err := stream.Fill(step, rank*g.LocalBatch(), x, y); err != nil {
			return err
		}
		if err := g.Bind(x, y); err != nil {
			return err
		}
		if err := g.RunTrain(); err != nil {
			return errors.Wrapf(err, "step %d", step)
		}
		if err := opt.Step(g.Params()); err != nil {
			return errors.Wrapf(err, "step %d", step)
		}
		if step == res.first {
			res.firstLoss = g.Loss()
		}
		res.lastLoss = g.Loss()
		if step > res.first {
			res.samples += g.GlobalBatch()
		}
		if o.checkpoint != "" && rank == 0 && ((step+1)%o.every == 0 || step+1 == o.steps) {
			meta := map[string]string{metaStep: strconv.Itoa(step + 1)}
			if err := models.SaveCheckpoint(o.checkpoint, g.Master(), opt.State(), meta); err != nil {
				return err
			}
		}
	}
	if !start.IsZero() {
		res.elapsed = time.Since(start)
	}
	return nil
}

// localBatch allocates this rank's part of a global batch.
func localBatch(g *parallel.Group) (x, y *tensor.Dense) {
	m := g.Replica(0)
	xs, ys := m.X.Shape().Clone(), m.Y.Shape().Clone()
	xs[0], ys[0] = g.LocalBatch(), g.LocalBatch()
	return tensor.New(tensor.Of(m.X.Dtype()), tensor.WithShape(xs...)), tensor.New(tensor.Of(m.Y.Dtype()), tensor.WithShape(ys...))
}

// resume loads the checkpoint at path into rank 0's master model and
// optimizer and returns the step it was saved at, on every rank (broadcast).
func resume(g *parallel.Group, opt optimizers.Optimizer, path string) (int, error) {
	if path == "" {
		return 0, nil
	}
	var step [8]byte
	if g.Comm().Rank() == 0 {
		st, meta, err := loadCheckpoint(path, g.Master())
		if err != nil {
			return 0, err
		}
		if err := opt.LoadState(st); err != nil {
			return 0, errors.Wrapf(err, "resume from %s", path)
		}
		n, err := strconv.Atoi(meta)
		if err != nil || n < 0 {
			return 0, errors.Errorf("resume from %s: metadata %s is %q, not a step count", path, metaStep, meta)
		}
		binary.LittleEndian.PutUint64(step[:], uint64(n))
	}
	if err := g.Comm().Broadcast(step[:], 0); err != nil {
		return 0, err
	}
	return int(binary.LittleEndian.Uint64(step[:])), nil
}

// loadCheckpoint loads the model state at path into m and returns the
// optimizer state and the step recorded in the metadata.
func loadCheckpoint(path string, m *models.Model) (map[string]*tensor.Dense, string, error) {
	f, err := safetensors.Read(path)
	if err != nil {
		return nil, "", errors.Wrap(err, "resume")
	}
	st, err := models.LoadCheckpoint(path, m)
	return st, f.Metadata[metaStep], errors.Wrap(err, "resume")
}
