package ops_test

import (
	"slices"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// Every node of every registered op's graph and of its gradient graph has
// a known kind: symgrad's ops state theirs, Gorgonia's are classified.
// Renaming an op's String() cannot silently disable a pass, because no
// pass reads it.
func TestRegisteredOpsClassify(t *testing.T) {
	for _, s := range ops.All() {
		t.Run(s.Name, func(t *testing.T) {
			g := G.NewGraph()
			var nodes, wrt []*G.Node
			for _, in := range s.Example.Inputs {
				dt := tensor.Float64
				if in.Classes > 0 {
					dt = tensor.Int64
				}
				n := mustInput(g, in.Name, dt, in.Shape...)
				nodes = append(nodes, n)
				if in.Classes == 0 && !in.NoGrad {
					wrt = append(wrt, n)
				}
			}
			out, err := s.Apply(nodes, s.Example.Params)
			if err != nil {
				t.Fatal(err)
			}
			loss := out
			if !out.IsScalar() {
				loss = G.Must(G.Sum(out))
			}
			if _, err := G.Grad(loss, wrt...); err != nil {
				t.Fatal(err)
			}
			for _, n := range g.AllNodes() {
				if n.Op() == nil {
					continue
				}
				id := ops.Identify(n)
				if id.Kind == ops.KindUnknown {
					t.Errorf("%s: op %v (%T) has no kind", n.Name(), n.Op(), n.Op())
				}
				if ops.Label(n.Op()) == "" {
					t.Errorf("%s: op %v has no name", n.Name(), n.Op())
				}
			}
		})
	}
}

// Gorgonia's ops that the passes, the executor's kernels and the
// formatter rely on classify with their attributes.
func TestGorgoniaOpsClassify(t *testing.T) {
	g := G.NewGraph()
	m := G.NewMatrix(g, tensor.Float64, G.WithShape(3, 4), G.WithName("m"))
	w := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 5), G.WithName("w"))
	v := G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("v"))
	col := G.NewMatrix(g, tensor.Float64, G.WithShape(3, 1), G.WithName("col"))
	cases := []struct {
		name string
		node *G.Node
		want ops.Identity
	}{
		{"add", G.Must(G.Add(m, m)), ops.Identity{Kind: ops.KindAdd}},
		{"sub", G.Must(G.Sub(m, m)), ops.Identity{Kind: ops.KindSub}},
		{"mul", G.Must(G.HadamardProd(m, m)), ops.Identity{Kind: ops.KindMul}},
		{"div", G.Must(G.HadamardDiv(m, m)), ops.Identity{Kind: ops.KindDiv}},
		{"pow", G.Must(G.Pow(m, m)), ops.Identity{Kind: ops.KindPow}},
		{"lt", G.Must(G.Lt(m, m, true)), ops.Identity{Kind: ops.KindLt, RetSame: true}},
		{"gt", G.Must(G.Gt(m, m, false)), ops.Identity{Kind: ops.KindGt}},
		{"lte", G.Must(G.Lte(m, m, true)), ops.Identity{Kind: ops.KindLte, RetSame: true}},
		{"gte", G.Must(G.Gte(m, m, true)), ops.Identity{Kind: ops.KindGte, RetSame: true}},
		{"eq", G.Must(G.Eq(m, m, true)), ops.Identity{Kind: ops.KindEq, RetSame: true}},
		{"ne", G.Must(G.Ne(m, m, true)), ops.Identity{Kind: ops.KindNe, RetSame: true}},
		{"scalar sub", G.Must(G.Sub(G.Must(G.Sum(m)), G.Must(G.Sum(m)))), ops.Identity{Kind: ops.KindSub}},
		{"neg", G.Must(G.Neg(m)), ops.Identity{Kind: ops.KindNeg}},
		{"exp", G.Must(G.Exp(m)), ops.Identity{Kind: ops.KindExp}},
		{"log", G.Must(G.Log(m)), ops.Identity{Kind: ops.KindLog}},
		{"sigmoid", G.Must(G.Sigmoid(m)), ops.Identity{Kind: ops.KindSigmoid}},
		{"square", G.Must(G.Square(m)), ops.Identity{Kind: ops.KindSquare}},
		{"sqrt", G.Must(G.Sqrt(m)), ops.Identity{Kind: ops.KindSqrt}},
		{"abs", G.Must(G.Abs(m)), ops.Identity{Kind: ops.KindAbs}},
		{"inverse", G.Must(G.Inverse(m)), ops.Identity{Kind: ops.KindInv}},
		{"matmul", G.Must(G.Mul(m, w)), ops.Identity{Kind: ops.KindMatMul}},
		{"matvec", G.Must(G.Mul(m, v)), ops.Identity{Kind: ops.KindMatVec}},
		{"vecdot", G.Must(G.Mul(v, v)), ops.Identity{Kind: ops.KindVecDot}},
		{"transpose", G.Must(G.Transpose(m)), ops.Identity{Kind: ops.KindTranspose, Axes: []int{1, 0}}},
		{"sum", G.Must(G.Sum(m, 1)), ops.Identity{Kind: ops.KindSum, Axes: []int{1}}},
		{"max", G.Must(G.Max(m, 0)), ops.Identity{Kind: ops.KindMax, Axes: []int{0}}},
		{"size", G.Must(G.SizeOf(1, m)), ops.Identity{Kind: ops.KindSizeOf, Axis: 1}},
		{"reshape", G.Must(G.Reshape(m, tensor.Shape{4, 3})), ops.Identity{Kind: ops.KindReshapeView}},
		{"concat", G.Must(G.Concat(1, m, m)), ops.Identity{Kind: ops.KindConcat, Axis: 1}},
		{"softmax", G.Must(G.SoftMax(m)), ops.Identity{Kind: ops.KindSoftmax, Axis: 1}},
		{"softmax col", G.Must(G.SoftMax(col)), ops.Identity{Kind: ops.KindSoftmax, Axis: 0}},
		{"logsoftmax", G.Must(G.LogSoftMax(m, 0)), ops.Identity{Kind: ops.KindSoftmax, Axis: 0, Log: true}},
		{"slice", G.Must(G.Slice(m, G.S(1))), ops.Identity{Kind: ops.KindSlice}},
	}
	bias := G.NewVector(g, tensor.Float64, G.WithShape(4), G.WithName("b"))
	bc := G.Must(G.BroadcastAdd(m, bias, nil, []byte{0}))
	rep := ops.Inputs(bc)[1]
	cases = append(cases, struct {
		name string
		node *G.Node
		want ops.Identity
	}{"repeat", rep, ops.Identity{Kind: ops.KindRepeat, Axis: 0}})
	for _, c := range cases {
		got := ops.Identify(c.node)
		got.Name = ""
		if got.Kind != c.want.Kind || got.Axis != c.want.Axis || !slices.Equal(got.Axes, c.want.Axes) ||
			got.Log != c.want.Log || got.RetSame != c.want.RetSame || got.TransA != c.want.TransA || got.TransB != c.want.TransB {
			t.Errorf("%s (%v): identity %+v, want %+v", c.name, c.node.Op(), got, c.want)
		}
	}
	var read G.Value
	r := G.Read(m, &read)
	if k := ops.KindOf(r); k != ops.KindRead {
		t.Errorf("read: kind %v, want read", k)
	}
}

// A leaf, a nil node and an op nobody classified are KindUnknown.
func TestUnknownKind(t *testing.T) {
	g := G.NewGraph()
	m := G.NewMatrix(g, tensor.Float64, G.WithShape(3, 4), G.WithName("m"))
	for _, n := range []*G.Node{nil, m} {
		if k := ops.KindOf(n); k != ops.KindUnknown {
			t.Errorf("%v: kind %v, want unknown", n, k)
		}
	}
	if k := ops.IdentityOf(impostorOp{}).Kind; k != ops.KindUnknown {
		t.Errorf("an op printing like Gorgonia's log: kind %v, want unknown", k)
	}
	if s := ops.Kind(255).String(); s != "unknown" {
		t.Errorf("Kind(255) is %q", s)
	}
}

// impostorOp prints like Gorgonia's natural log but is not it.
type impostorOp struct{ G.Op }

func (impostorOp) String() string { return "ln" }

// Every declared kind has a name of its own.
func TestKindNamesAreDistinct(t *testing.T) {
	seen := map[string]ops.Kind{}
	for k := ops.Kind(1); k != 0 && k.String() != "unknown"; k++ {
		if prev, dup := seen[k.String()]; dup {
			t.Errorf("kinds %d and %d are both named %q", prev, k, k.String())
		}
		seen[k.String()] = k
	}
	for _, k := range []ops.Kind{ops.KindGemm, ops.KindLinear, ops.KindElementwise, ops.KindBatchNormStat, ops.KindSoftmax} {
		if seen[k.String()] != k {
			t.Errorf("kind %v (%d) is not among the declared kinds", k, k)
		}
	}
}
