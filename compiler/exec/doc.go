// Package exec runs a compiled Gorgonia graph: symgrad's executor, a
// static execution plan over an exact subgraph run on the caller's
// goroutine (Plan), and Gorgonia's TapeMachine behind the same Runner
// interface (Machine).
//
// # Why symgrad has its own executor
//
// Gorgonia's TapeMachine runs some ops in place on their input, which
// corrupts a parameter when a view of it (a reshape) is overwritten; it
// reuses registers, so after a run an intermediate node's value may hold
// another node's; and it runs the tape on a goroutine of its own, where a
// panic inside an op's Do ends the process.
//
// A Plan avoids all three. Every non-leaf node gets its own output buffer,
// allocated once; ops that implement G.UsePreallocDoer, or have a native
// kernel (kernels.go, kernels_axis.go: the dispatch from Gorgonia's
// elementwise arithmetic, sums and reshapes to package ops/kernels), write
// into it, others return a fresh value from Do. Nodes whose values depend
// on constants and shapes only are computed on the first run and kept. No
// op ever runs in place on its input, no buffer is shared (every node's
// Value() stays valid after a run, so a NaN guard can read them directly),
// and a panic inside an op's Do is recovered as an error.
//
// A preallocated path is trusted only once it has been checked: on the
// first run it writes into a buffer filled with NaN and is compared with
// the op's Do bit for bit, and a path that disagrees (an op that reads its
// buffer, an op with randomness) falls back to Do. The TapeMachine resets
// its registers on every run, so most ops' UsePreallocDo paths are rarely
// exercised there and some are wrong: a kernel can be missing, never wrong.
// A steady-state run allocates nothing.
package exec
