// Package parallel trains one model data-parallel: R replicas of a compiled
// program on the cores of one machine, and P processes (ranks) over a Comm
// (MPI, see package parallel/mpi), the way PyTorch's DistributedDataParallel
// and Horovod do.
//
// Every replica is the same model built on its own graph (nothing mutable is
// shared between replicas) for a shard of the global batch. A step binds each
// replica's shard, runs the replicas' forward and backward passes at once on
// their own goroutines, sums their gradients into one fused buffer in a fixed
// order (replica 0, 1, ..., R-1, element by element), scales the sum by
// 1/(P·R), sums the fused buffers of the ranks with one allreduce, and leaves
// the result, the mean of the shards' mean-loss gradients, in the gradients
// that Params returns. One optimizer step on those gives the update of one
// process on the whole batch (to rounding), identical on every rank; the same
// seed gives bit-identical weights on every run.
//
// The master copy of the parameters (what the optimizer updates and a
// checkpoint saves) is the first replica's, or Config.Master's; the other
// replicas copy it before every step. Batch normalization is synchronized
// (PyTorch's SyncBatchNorm) when the job has more than one shard: every
// replica of every rank normalizes with the mean and variance of the whole
// global batch, reduced in replica order and over the ranks inside the
// forward and backward passes, so a model with batch norm also trains as
// one process on the whole batch. Config.LocalBatchNorm keeps DDP's
// default instead (each replica normalizes with its own shard's
// statistics). Either way the running statistics are the master's, copied
// to every replica before each step (DDP's broadcast_buffers). See
// docs/distributed.md.
package parallel
