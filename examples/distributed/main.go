// Command distributed trains a zoo model data-parallel: R replicas on the
// cores of each process, P processes under mpirun, the global batch of every
// step cut into P·R equal shards (rank-major: rank p's replica r takes shard
// p·R + r), every shard's mean-loss gradient averaged with one allreduce,
// one Adam step (lr 1e-3) identical on every rank. The data is a synthetic
// stream seeded by -seed: the global batch of step t depends only on the
// seed and t, never on P or R, and each rank generates only its own shards.
// So whatever P and R, the weights equal those of one process with R = 1
// (to rounding, 1e-9), batch norm included: its statistics are those of the
// whole global batch (SyncBatchNorm, package parallel's default; see
// docs/distributed.md).
//
// Rank 0 prints the throughput as "samples/s N" (global samples per second
// over the steps after the first, which warms up) and writes the final
// weights (the model's state_dict under PyTorch's names) to -out,
// atomically. With -checkpoint it also saves the model and the optimizer
// state every -every steps, and -resume continues from such a file (rank 0
// reads it, every rank receives it by broadcast).
//
//	go run ./examples/distributed -model lstm -steps 50 -batch 64 -replicas 2 -out /tmp/w.safetensors
//	go build -tags mpi -o /tmp/distributed ./examples/distributed
//	mpirun --bind-to none -np 2 /tmp/distributed -model mlp -steps 50 -batch 64 -replicas 1 -out /tmp/w.safetensors
//
// Exit status: 0 done, 1 training failed, 2 bad usage (a batch that P·R does
// not divide, an unknown model), 3 a collective timed out (MPI watchdog).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/parallel"
	"github.com/symgrad/symgrad/parallel/mpi"
)

// options are the program's flags.
type options struct {
	model      string
	steps      int
	batch      int // global batch B
	seed       uint64
	replicas   int
	out        string
	checkpoint string // full checkpoint (model and optimizer), "" for none
	every      int    // steps between checkpoints
	resume     string // checkpoint to continue from
	timeout    time.Duration
}

func main() {
	w, err := mpi.Init()
	if err != nil {
		fmt.Fprintln(os.Stderr, "distributed:", err)
		os.Exit(1)
	}
	code := run(os.Args[1:], os.Stdout, os.Stderr, w)
	if err := w.Finalize(); err != nil && code == 0 {
		fmt.Fprintln(os.Stderr, "distributed:", err)
		code = 1
	}
	os.Exit(code)
}

// world is the job's communicator as the program uses it: *mpi.World, or
// one process in tests.
type world interface {
	parallel.Comm
	SetTimeout(time.Duration)
	Abort(code int)
}

// usageError is bad input: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// run is the program on world: it returns the exit status.
func run(args []string, stdout, stderr io.Writer, world world) int {
	o, err := parse(args, stderr)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		fmt.Fprintln(stderr, "distributed:", err)
		return 2
	}
	world.SetTimeout(o.timeout)
	if p := world.Size() * o.replicas; o.batch%p != 0 {
		if world.Rank() == 0 {
			fmt.Fprintf(stderr, "distributed: batch %d is not divisible by %d ranks x %d replicas = %d shards: pick a multiple of %d\n",
				o.batch, world.Size(), o.replicas, p, p)
		}
		return 2
	}
	res, err := train(world, o)
	if err != nil {
		fmt.Fprintf(stderr, "distributed: rank %d of %d: %v\n", world.Rank(), world.Size(), err)
		if world.Size() > 1 {
			world.Abort(1) // the other ranks would wait in a collective
		}
		return 1
	}
	if world.Rank() == 0 {
		report(stdout, o, world.Size(), res)
	}
	return 0
}

// parse reads and checks the flags.
func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("distributed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.model, "model", "mlp", "zoo model: "+strings.Join(models.Names(), ", "))
	fs.IntVar(&o.steps, "steps", 20, "optimizer steps")
	fs.IntVar(&o.batch, "batch", 64, "global batch size B (all ranks and replicas together)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the initial weights and of the data stream")
	fs.IntVar(&o.replicas, "replicas", 1, "replicas per process R")
	fs.StringVar(&o.out, "out", "", "final weights (safetensors, PyTorch state_dict names), written by rank 0")
	fs.StringVar(&o.checkpoint, "checkpoint", "", "checkpoint (model and optimizer state) written by rank 0 every -every steps")
	fs.IntVar(&o.every, "every", 10, "steps between checkpoints")
	fs.StringVar(&o.resume, "resume", "", "checkpoint to continue from")
	fs.DurationVar(&o.timeout, "timeout", mpi.DefaultTimeout, "abort the job when a collective waits this long (0: never)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, usageError{fmt.Sprintf("unexpected arguments %q", fs.Args())}
	case !isModel(o.model):
		return o, usageError{fmt.Sprintf("no model %q in the zoo (models: %s)", o.model, strings.Join(models.Names(), ", "))}
	case o.steps < 0 || o.batch < 1 || o.replicas < 1 || o.every < 1:
		return o, usageError{fmt.Sprintf("-steps %d, -batch %d, -replicas %d, -every %d: want steps >= 0 and the others >= 1", o.steps, o.batch, o.replicas, o.every)}
	}
	return o, nil
}

func isModel(name string) bool {
	for _, n := range models.Names() {
		if n == name {
			return true
		}
	}
	return false
}

// report prints what was trained and the throughput.
func report(w io.Writer, o options, ranks int, r *result) {
	fmt.Fprintf(w, "model %s: %d rank(s) x %d replica(s), global batch %d (%d per replica), steps %d..%d\n",
		o.model, ranks, o.replicas, o.batch, o.batch/(ranks*o.replicas), r.first, o.steps)
	fmt.Fprintf(w, "loss: first step %.6g, last step %.6g\n", r.firstLoss, r.lastLoss)
	if o.out != "" {
		fmt.Fprintf(w, "weights written to %s\n", o.out)
	}
	fmt.Fprintf(w, "samples/s %.1f\n", r.samplesPerSecond())
}
