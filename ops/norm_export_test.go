package ops

import G "gorgonia.org/gorgonia"

// BatchNormExpand is BatchNorm as it was built for every rank before
// meanRows: G.Mean and expand (whose gradients are Gorgonia's Sum, reshape
// and repeat). The tests compare BatchNorm's matrix path with it bit for bit.
func BatchNormExpand(x, gamma, beta *G.Node, stats *BatchNormStats) (*G.Node, error) {
	b, axes, stat, toX := batchNormParts(x, stats, G.ApplyOp)
	mean := stat(b.apply("mean", func() (*G.Node, error) { return G.Mean(x, axes...) }), statMean)
	xc := b.sub(x, toX(mean))
	sq := b.apply("square", func() (*G.Node, error) { return G.Square(xc) })
	vr := stat(b.apply("variance", func() (*G.Node, error) { return G.Mean(sq, axes...) }), statVar)
	return normalize(b, xc, vr, stats.Eps, toX, gamma, beta, x.Shape()[1])
}
