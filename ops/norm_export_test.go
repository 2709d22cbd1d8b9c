package ops

import G "gorgonia.org/gorgonia"

// BatchNormExpand is BatchNorm as it was built for every rank before
// meanRows: G.Mean and expand (whose gradients are Gorgonia's Sum, reshape
// and repeat). The tests compare BatchNorm's matrix path with it bit for bit.
func BatchNormExpand(x, gamma, beta *G.Node, stats *BatchNormStats) (*G.Node, error) {
	shape := x.Shape().Clone()
	c := shape[1]
	axes := []int{0}
	if x.Dims() == 4 {
		axes = []int{0, 2, 3}
	}
	n := shape.TotalSize() / c
	b := &chain{what: "batch norm"}
	stat := func(v *G.Node, kind statKind) *G.Node {
		return b.apply("running statistics", func() (*G.Node, error) {
			return G.ApplyOp(&bnStatOp{stats: stats, kind: kind, n: n, c: c, training: true}, v)
		})
	}
	toX := func(v *G.Node) *G.Node {
		return b.apply("broadcast", func() (*G.Node, error) { return expandChannels(v, shape) })
	}
	mean := stat(b.apply("mean", func() (*G.Node, error) { return G.Mean(x, axes...) }), statMean)
	xc := b.sub(x, toX(mean))
	sq := b.apply("square", func() (*G.Node, error) { return G.Square(xc) })
	vr := stat(b.apply("variance", func() (*G.Node, error) { return G.Mean(sq, axes...) }), statVar)
	return normalize(b, xc, vr, stats.Eps, toX, gamma, beta, c)
}
