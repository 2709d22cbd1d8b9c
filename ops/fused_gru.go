package ops

import (
	"fmt"
	"hash"
	"math"

	"github.com/chewxy/hm"
	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/panics"
	"github.com/symgrad/symgrad/ops/kernels"
)

// GRUCell is one step of PyTorch's GRU from the two projections
// gi = x W_ihᵀ + b_ih and gh = h W_hhᵀ + b_hh ([B, 3H], gate blocks r, z,
// n) and the state h [B, H]:
//
//	r = σ(gi_r + gh_r)   z = σ(gi_z + gh_z)   n = tanh(gi_n + r ⊙ gh_n)
//	h' = (1 - z) ⊙ n + z ⊙ h
//
// in one pass (no gate slices, no [B, 3H] scatters in the gradient).
//
// Gradient, with G = dL/dh', dn = G(1-z), a_n = dn(1-n²), a_z = G(h-n)z(1-z),
// a_r = a_n ⊙ gh_n ⊙ r(1-r): dgi = [a_r, a_z, a_n], dgh = [a_r, a_z, a_n ⊙ r],
// dh = G ⊙ z. Three ops, not differentiable again: dgi recomputes the
// gates, dgh is dgi with its n block scaled by r (one sigmoid), dh
// recomputes z alone (one sigmoid).
func GRUCell(gi, gh, h *G.Node) (out *G.Node, err error) {
	defer panics.Recover(&err, "grucell")
	for _, n := range []*G.Node{gi, gh, h} {
		if err := checkFloatNode("grucell", n); err != nil {
			return nil, err
		}
	}
	gs, hs := gi.Shape(), h.Shape()
	if gs.Dims() != 2 || hs.Dims() != 2 || !equalDims(gh.Shape(), gs) || gs[0] != hs[0] || gs[1] != 3*hs[1] ||
		gh.Dtype() != gi.Dtype() || h.Dtype() != gi.Dtype() {
		return nil, errors.Errorf("grucell: want gi, gh [B, 3H] and h [B, H] of one dtype, got %v %v, %v %v, %v %v",
			gi.Dtype(), gs, gh.Dtype(), gh.Shape(), h.Dtype(), hs)
	}
	out, err = Apply(&gruOp{kind: gruForward, b: hs[0], hid: hs[1]}, gi, gh, h)
	return out, errors.Wrapf(err, "grucell of %s %v", gi.Name(), gs)
}

// gruKind says which map a gruOp is: the cell (inputs gi, gh, h), or its
// gradient with respect to gi (gi, gh, h, G), gh (gi, gh, dgi) or h (gi,
// gh, h, G).
type gruKind int

const (
	gruForward gruKind = iota
	gruGradGI
	gruGradGH
	gruGradH
)

type gruOp struct {
	opBase
	kind   gruKind
	b, hid int
}

var (
	_ G.SDOp            = (*gruOp)(nil)
	_ G.UsePreallocDoer = (*gruOp)(nil)
)

func (op *gruOp) Arity() int {
	if op.kind == gruForward || op.kind == gruGradGH {
		return 3
	}
	return 4
}
func (op *gruOp) Type() hm.Type {
	m := G.TensorType{Dims: 2, Of: hm.TypeVariable('a')}
	if op.Arity() == 3 {
		return hm.NewFnType(m, m, m, m)
	}
	return hm.NewFnType(m, m, m, m, m)
}
func (op *gruOp) outShape() tensor.Shape {
	if op.kind == gruGradGI || op.kind == gruGradGH {
		return tensor.Shape{op.b, 3 * op.hid}
	}
	return tensor.Shape{op.b, op.hid}
}
func (op *gruOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.outShape(), nil }
func (op *gruOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != op.Arity() {
		return nil, errors.Errorf("%v: expected %d inputs, got %d", op, op.Arity(), len(vs))
	}
	return op.UsePreallocDo(tensor.New(tensor.Of(vs[0].Dtype()), tensor.WithShape(op.outShape()...)), vs...)
}

// UsePreallocDo writes the op's result into prealloc.
func (op *gruOp) UsePreallocDo(prealloc G.Value, vs ...G.Value) (G.Value, error) {
	if len(vs) != op.Arity() {
		return nil, errors.Errorf("%v: expected %d inputs, got %d", op, op.Arity(), len(vs))
	}
	// Fixed-size arrays, not slices: a step of the GRU calls this op 4T
	// times, and nothing here may reach the heap.
	var ds [5]*tensor.Dense
	for i := 0; i <= len(vs); i++ {
		v, rows, cols := prealloc, op.b, op.hid
		if i < len(vs) {
			v = vs[i]
		}
		if i < 2 || (i == 2 && op.kind == gruGradGH) || (i == len(vs) && (op.kind == gruGradGI || op.kind == gruGradGH)) {
			cols = 3 * op.hid
		}
		d, err := denseOfDims(v, vs[0].Dtype())
		if err != nil || d.Dims() != 2 || d.Shape()[0] != rows || d.Shape()[1] != cols {
			return nil, errors.Errorf("%v: value %d is %v, want (%d, %d) of one float dtype (%v)", op, i, v.Shape(), rows, cols, err)
		}
		ds[i] = d
	}
	ds[4] = ds[len(vs)]
	switch vs[0].Dtype() {
	case tensor.Float64:
		gruKernel(op, &ds, func(d *tensor.Dense) []float64 { return d.Float64s() })
	case tensor.Float32:
		gruKernel(op, &ds, func(d *tensor.Dense) []float32 { return d.Float32s() })
	default:
		return nil, errors.Errorf("%v: dtype %v, want float64 or float32", op, vs[0].Dtype())
	}
	return prealloc, nil
}

// gruKernel writes the op's output (ds: the inputs, then out at ds[4]),
// computing in float64. Each map evaluates only the gates it needs, the
// sigmoids of a row at a time (kernels.SigmoidInto), in chunks of
// gruChunk columns.
func gruKernel[T float32 | float64](op *gruOp, ds *[5]*tensor.Dense, data func(*tensor.Dense) []T) {
	gi, gh, third, out := data(ds[0]), data(ds[1]), data(ds[2]), data(ds[4])
	var g []T
	if op.kind == gruGradGI || op.kind == gruGradH {
		g = data(ds[3])
	}
	hid := op.hid
	var pre [2 * gruChunk]float64 // r then z, pre-activations and then gates
	for b := 0; b < op.b; b++ {
		gib, ghb := gi[b*3*hid:(b+1)*3*hid], gh[b*3*hid:(b+1)*3*hid]
		for j0 := 0; j0 < hid; j0 += gruChunk {
			w := min(gruChunk, hid-j0)
			r, z := pre[:w], pre[w:2*w]
			for i := range w {
				r[i] = float64(gib[j0+i]) + float64(ghb[j0+i])
				z[i] = float64(gib[hid+j0+i]) + float64(ghb[hid+j0+i])
			}
			switch op.kind {
			case gruGradH: // dh = G ⊙ z
				kernels.SigmoidInto(z, z)
				for i := range w {
					k := b*hid + j0 + i
					out[k] = T(float64(g[k]) * z[i])
				}
				continue
			case gruGradGH: // dgh = [a_r, a_z, a_n ⊙ r], from dgi = [a_r, a_z, a_n]
				kernels.SigmoidInto(r, r)
				d, o := third[b*3*hid:(b+1)*3*hid], out[b*3*hid:(b+1)*3*hid]
				for i := range w {
					j := j0 + i
					o[j], o[hid+j], o[2*hid+j] = d[j], d[hid+j], T(float64(d[2*hid+j])*r[i])
				}
				continue
			}
			kernels.SigmoidInto(pre[:2*w], pre[:2*w])
			for i := range w {
				j, k := j0+i, b*hid+j0+i
				hn := float64(ghb[2*hid+j])
				n := math.Tanh(float64(gib[2*hid+j]) + r[i]*hn)
				hv := float64(third[k])
				if op.kind == gruForward {
					out[k] = T(n + z[i]*(hv-n))
					continue
				}
				gv := float64(g[k])
				an := gv * (1 - z[i]) * (1 - n*n)
				az := gv * (hv - n) * z[i] * (1 - z[i])
				ar := an * hn * r[i] * (1 - r[i])
				o := out[b*3*hid : (b+1)*3*hid]
				o[j], o[hid+j], o[2*hid+j] = T(ar), T(az), T(an)
			}
		}
	}
}

// gruChunk is how many columns of a row gruKernel activates at a time.
const gruChunk = 128

func (op *gruOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "symgrad.%v", op) }
func (op *gruOp) Hashcode() uint32      { return hashOf(op) }
func (op *gruOp) String() string {
	return fmt.Sprintf("%s[%d,%d]", [...]string{"grucell", "grucell'gi", "grucell'gh", "grucell'h"}[op.kind], op.b, op.hid)
}
func (op *gruOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	return d
}

// SymDiff returns the three gradient ops: dgi of (gi, gh, h, G), dgh of
// (gi, gh, dgi), dh of (gi, gh, h, G).
func (op *gruOp) SymDiff(in G.Nodes, _, g *G.Node) (G.Nodes, error) {
	if op.kind != gruForward {
		return nil, errors.New("grucell: second derivatives are not supported")
	}
	dgi, err := Apply(&gruOp{kind: gruGradGI, b: op.b, hid: op.hid}, in[0], in[1], in[2], g)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %v", op)
	}
	dgh, err := Apply(&gruOp{kind: gruGradGH, b: op.b, hid: op.hid}, in[0], in[1], dgi)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %v", op)
	}
	dh, err := Apply(&gruOp{kind: gruGradH, b: op.b, hid: op.hid}, in[0], in[1], in[2], g)
	if err != nil {
		return nil, errors.Wrapf(err, "gradient of %v", op)
	}
	return G.Nodes{dgi, dgh, dh}, nil
}

func init() {
	proj := Domain{Min: -2, Max: 2}
	Register(&Spec{Name: "grucell", Family: "fused",
		Forward:  "grucell(gi, gh, h) = (1-z) ⊙ n + z ⊙ h, r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r ⊙ gh_n); gi, gh [B,3H] (blocks r, z, n), h [B,H]",
		Gradient: "dn = G(1-z), a_n = dn(1-n²), a_z = G(h-n)z(1-z), a_r = a_n⊙gh_n⊙r(1-r): dgi = [a_r a_z a_n], dgh = [a_r a_z a_n⊙r], dh = G⊙z",
		Notes:    "symgrad op: PyTorch's GRU step (b_hh inside r ⊙ (W_hn h + b_hn)) in one pass over the two projections, no gate slices; its gradient ops recompute only the gates each needs (dgh is dgi with its n block scaled by r; second derivatives not supported).",
		Build:    func(n []*G.Node, _ []float64) (*G.Node, error) { return GRUCell(n[0], n[1], n[2]) },
		MinNodes: 3, MaxNodes: 3,
		Example: Example{Inputs: []Input{{Name: "gi", Shape: []int{3, 6}, Domain: proj}, {Name: "gh", Shape: []int{3, 6}, Domain: proj},
			{Name: "h", Shape: []int{3, 2}, Domain: Real}}},
		Dtypes: floats})
}

// KindGRUCell is the kind of the fused GRU cell and its gradients.
var KindGRUCell = NewKind("grucell")

// Identity is KindGRUCell.
func (op *gruOp) Identity() Identity { return Identity{Kind: KindGRUCell} }
