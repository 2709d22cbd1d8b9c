package gemm

// Block sizes (elements), BLIS's for AMD Zen (mc 72 / 144, kc 256): a
// packed B micro-panel (kc x nr, 16 KiB) and an A micro-panel (mr x kc)
// together fit the 32 KiB L1 data cache, an A block (mc x kc, 144 KiB)
// the 512 KiB L2, and a B block (kc x nc, at most 2 MiB) a share of the
// L3. kc also fixes the summation blocks (see kSteps): changing it
// changes results in the last bits.
var (
	f64 = config[float64]{
		nr: nr64, mc: 72, kc: 256, nc: 1024,
		kernel:  kernel64(),
		space:   func(w *worker) *space[float64] { return &w.s64 },
		problem: func(c *caller) *problem[float64] { return &c.p64 },
		jobs:    func(c *caller) []job[float64] { return c.j64 },
	}
	f32 = config[float32]{
		nr: nr32, mc: 144, kc: 256, nc: 2048,
		kernel:  kernel32(),
		space:   func(w *worker) *space[float32] { return &w.s32 },
		problem: func(c *caller) *problem[float32] { return &c.p32 },
		jobs:    func(c *caller) []job[float32] { return c.j32 },
	}
)

// Kernel names the micro-kernel this process uses: "avx2+fma" or "go".
func Kernel() string { return kernelName() }
