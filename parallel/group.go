package parallel

import (
	"slices"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/ops"
	"github.com/symgrad/symgrad/optimizers"
)

// Config says how to replicate a model. The zero value is one replica in
// one process.
type Config struct {
	// Replicas is the number R of replicas in this process; 0 means 1.
	Replicas int
	// Comm connects the P processes of the job; nil means Local (P = 1).
	Comm Comm
	// CompileOptions are passed to every replica's Model.Compile.
	CompileOptions []compiler.Option
	// Master, when non-nil, holds the master copy of the parameters and
	// buffers (the one Params exposes, an optimizer updates and a
	// checkpoint saves) instead of replica 0: train uses it to train the
	// user's model, built for the whole batch, in place. It must have the
	// replicas' parameter and buffer names, shapes and dtypes; its batch
	// size may differ.
	Master *models.Model
	// LocalBatchNorm keeps per-replica batch-norm statistics, as PyTorch's
	// DDP does with plain BatchNorm: each replica normalizes its shard
	// with the shard's own mean and variance. By default (false) the batch
	// norms of a job of P·R > 1 shards are synchronized (SyncBatchNorm):
	// every replica of every rank normalizes with the mean and variance of
	// the whole global batch, and the step equals one process's on it.
	LocalBatchNorm bool
}

// BuildFunc builds replica r: the same model (same parameter names, shapes
// and dtypes) on a fresh graph, for a batch of one shard.
type BuildFunc func(replica int) (*models.Model, error)

// Group is R replicas of one model in this process, one rank of a job of
// P processes. It is not safe for concurrent use (its replicas run
// concurrently inside RunTrain).
type Group struct {
	comm       Comm
	reps       []*replica
	master     *models.Model
	shard      int
	params     []optimizers.Param // master values, gradients viewing the fused buffer
	red        reducer            // the fused buffer and the copies between replicas
	pool       *workers
	bn         *bnHub // the synchronized batch norms; nil: none or per replica
	loss       float64
	losses     []float64 // each replica's loss of the last step
	bnChannels []int     // the channels of each synchronized layer (replica 0's)
	steps      int
	// syncInCompute: the model has no buffers, so replicas take the
	// master's parameters at the start of the compute phase;
	// reduceAlone: the fused buffer is small enough to reduce on the
	// caller's goroutine.
	syncInCompute, reduceAlone bool
	// The shapes and dtypes of a replica's x and y (Node.Shape allocates).
	inShapes [2]tensor.Shape
	inDtypes [2]tensor.Dtype
}

// replica is one model and its compiled program.
type replica struct {
	model  *models.Model
	prog   *compiler.Program
	inputs [2]*tensor.Dense // the values of x and y, bound in place
}

// New builds cfg.Replicas replicas with build (one after another: graph
// construction is not concurrent), compiles them and starts one goroutine
// per replica. Every replica then takes the master's parameters and
// buffers; call Broadcast to make them rank 0's on every rank.
func New(build BuildFunc, cfg Config) (_ *Group, err error) {
	defer panics.Recover(&err, "parallel: building replicas")
	r := cfg.Replicas
	if r == 0 {
		r = 1
	}
	if r < 0 {
		return nil, errors.Errorf("parallel: %d replicas", r)
	}
	g := &Group{comm: cfg.Comm}
	if g.comm == nil {
		g.comm = Local{}
	}
	if g.comm.Size() < 1 || g.comm.Rank() < 0 || g.comm.Rank() >= g.comm.Size() {
		return nil, errors.Errorf("parallel: communicator says rank %d of %d", g.comm.Rank(), g.comm.Size())
	}
	if err := g.build(build, r, cfg); err != nil {
		_ = g.Close()
		return nil, err
	}
	g.losses = make([]float64, r)
	g.syncInCompute = len(g.master.Buffers) == 0
	g.reduceAlone = g.red.size()*r < parallelReduce
	g.pool = startWorkers(r, g.work)
	return g, nil
}

// build builds, compiles and checks the replicas and sets up the reducer.
func (g *Group) build(build BuildFunc, r int, cfg Config) error {
	synced := !cfg.LocalBatchNorm && r*g.comm.Size() > 1
	for i := 0; i < r; i++ {
		rep, err := newReplica(build, i, cfg.CompileOptions, func(m *models.Model) error {
			if synced {
				return g.synchronize(m, i, r)
			}
			return nil
		})
		if err != nil {
			return err
		}
		g.reps = append(g.reps, rep)
	}
	g.master = cfg.Master
	if g.master == nil {
		g.master = g.reps[0].model
	}
	if err := g.check(); err != nil {
		return err
	}
	return g.setup()
}

func newReplica(build BuildFunc, i int, opts []compiler.Option, prepare func(*models.Model) error) (*replica, error) {
	m, err := build(i)
	if err != nil {
		return nil, errors.Wrapf(err, "parallel: building replica %d", i)
	}
	if m == nil || m.X == nil || m.Y == nil {
		return nil, errors.Errorf("parallel: replica %d: the model has no inputs x and y", i)
	}
	if err := prepare(m); err != nil {
		return nil, errors.Wrapf(err, "parallel: replica %d", i)
	}
	p, err := m.Compile(opts...)
	if err != nil {
		return nil, errors.Wrapf(err, "parallel: compiling replica %d", i)
	}
	rep := &replica{model: m, prog: p}
	for k, n := range []*G.Node{m.X, m.Y} {
		v, ok := n.Value().(*tensor.Dense)
		if !ok {
			_ = p.Close()
			return nil, errors.Errorf("parallel: replica %d: input %q holds a %T, not a tensor", i, n.Name(), n.Value())
		}
		// Bind copies straight into the program's own tensors (allocating
		// nothing per step); binding the tensor to itself once tells the
		// program that it is bound.
		if err := p.Bind(n.Name(), v); err != nil {
			_ = p.Close()
			return nil, errors.Wrapf(err, "parallel: replica %d", i)
		}
		rep.inputs[k] = v
	}
	return rep, nil
}

// check verifies that every replica has the master's state (names, shapes,
// dtypes) and the first replica's inputs.
func (g *Group) check() error {
	want := g.master.StateDict()
	first := g.reps[0].model
	g.shard = first.X.Shape()[0]
	g.inShapes = [2]tensor.Shape{first.X.Shape(), first.Y.Shape()}
	g.inDtypes = [2]tensor.Dtype{first.X.Dtype(), first.Y.Dtype()}
	for i, rep := range g.reps {
		m := rep.model
		if m.Graph == first.Graph && i > 0 {
			return errors.Errorf("parallel: replicas 0 and %d share a graph: build each on its own", i)
		}
		got := m.StateDict()
		if len(got) != len(want) {
			return errors.Errorf("parallel: replica %d has %d state tensors, the master %d", i, len(got), len(want))
		}
		for j, e := range got {
			w := want[j]
			if e.Name != w.Name || e.Tensor.Dtype() != w.Tensor.Dtype() || !slices.Equal(e.Tensor.Shape(), w.Tensor.Shape()) {
				return errors.Errorf("parallel: replica %d: state tensor %d is %q %v %v, the master's is %q %v %v",
					i, j, e.Name, e.Tensor.Dtype(), e.Tensor.Shape(), w.Name, w.Tensor.Dtype(), w.Tensor.Shape())
			}
		}
		if !slices.Equal(m.X.Shape(), first.X.Shape()) || !slices.Equal(m.Y.Shape(), first.Y.Shape()) ||
			m.X.Dtype() != first.X.Dtype() || m.Y.Dtype() != first.Y.Dtype() {
			return errors.Errorf("parallel: replica %d has inputs x %v y %v, replica 0 x %v y %v", i, m.X.Shape(), m.Y.Shape(), first.X.Shape(), first.Y.Shape())
		}
	}
	if dt := g.master.Dtype(); dt != tensor.Float64 && dt != tensor.Float32 {
		return errors.Errorf("parallel: model dtype %v", dt)
	}
	return nil
}

// synchronize makes replica i's batch norms (before it is compiled)
// average their statistics over the job's shards; replica 0's layers size
// the hub, the others must have the same number and channels.
func (g *Group) synchronize(m *models.Model, i, r int) error {
	layers := ops.BatchNormLayers(m.Graph)
	if len(layers) == 0 {
		return nil
	}
	if i == 0 {
		channels := 0
		for _, s := range layers {
			channels = max(channels, s.RunningMean.DataSize())
		}
		g.bn = newBNHub(g.comm, r, channels)
		g.bnChannels = g.bnChannels[:0]
		for _, s := range layers {
			g.bnChannels = append(g.bnChannels, s.RunningMean.DataSize())
		}
	}
	if g.bn == nil || len(layers) != len(g.bnChannels) {
		return errors.Errorf("%d batch-norm layers, replica 0 has %d", len(layers), len(g.bnChannels))
	}
	for j, s := range layers {
		if c := s.RunningMean.DataSize(); c != g.bnChannels[j] {
			return errors.Errorf("batch-norm layer %d has %d channels, replica 0's %d", j, c, g.bnChannels[j])
		}
		if l, ok := s.Sync.(*bnLayer); ok && l.hub == g.bn {
			return errors.Errorf("batch-norm layer %d: its statistics are replica %d's: build each replica's own", j, l.rep)
		}
	}
	g.bn.synchronize(layers, i)
	return nil
}

// SyncBatchNorm reports whether the replicas' batch norms are synchronized
// over the job's P·R shards (the model has batch norm, P·R > 1 and
// Config.LocalBatchNorm is false).
func (g *Group) SyncBatchNorm() bool { return g.bn != nil }

// Replicas returns R, the number of replicas in this process.
func (g *Group) Replicas() int { return len(g.reps) }

// Comm returns the communicator.
func (g *Group) Comm() Comm { return g.comm }

// ShardSize returns the number of samples of one replica's shard.
func (g *Group) ShardSize() int { return g.shard }

// LocalBatch returns the samples this process binds per step: R shards.
func (g *Group) LocalBatch() int { return g.shard * len(g.reps) }

// GlobalBatch returns the samples of one step over the whole job: P·R
// shards.
func (g *Group) GlobalBatch() int { return g.LocalBatch() * g.comm.Size() }

// Master returns the model that holds the master parameters and buffers.
func (g *Group) Master() *models.Model { return g.master }

// Replica returns replica r's model: its inputs X and Y may be written
// directly (instead of Bind), its program read through Program.
func (g *Group) Replica(r int) *models.Model { return g.reps[r].model }

// Program returns replica r's compiled program.
func (g *Group) Program(r int) *compiler.Program { return g.reps[r].prog }

// Params returns the master parameters as an optimizer sees them: after
// RunTrain, Grad holds the mean over all P·R shards of their mean-loss
// gradients. The slice and its tensors stay the same across steps.
func (g *Group) Params() []optimizers.Param { return g.params }

// Loss returns the mean over all shards of their losses in the last
// RunTrain: the loss of the whole global batch.
func (g *Group) Loss() float64 { return g.loss }

// Output returns replica r's output (its shard's rows of the model's
// output) of the last run.
func (g *Group) Output(r int) G.Value { return g.reps[r].prog.Output(0) }

// Close stops the goroutines and releases the programs; the group is
// unusable afterwards (closing twice is harmless).
func (g *Group) Close() error {
	if g.pool != nil {
		g.pool.stop()
		g.pool = nil
	}
	for _, rep := range g.reps {
		if rep.prog != nil {
			_ = rep.prog.Close()
			rep.prog = nil
		}
	}
	return nil
}
