package compiler

import (
	"fmt"
	"hash/fnv"
	"math"
	"testing"

	"github.com/symgrad/symgrad/ops"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// collidingNames are two input names whose Gorgonia node hashes collide
// for float64 vectors of 3 (found by a birthday search over "v%d"; the
// test below checks that they still do, so the collision stays forced).
var collidingNames = [2]string{"v232789", "v429192"}

func collidingVectors(t *testing.T) (*G.ExprGraph, *G.Node, *G.Node) {
	t.Helper()
	g := G.NewGraph()
	a := G.NewTensor(g, tensor.Float64, 1, G.WithShape(3), G.WithName(collidingNames[0]),
		G.WithValue(tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{0.3, -1.2, 0.7}))))
	b := G.NewTensor(g, tensor.Float64, 1, G.WithShape(3), G.WithName(collidingNames[1]),
		G.WithValue(tensor.New(tensor.WithShape(3), tensor.WithBacking([]float64{-0.4, 0.9, 2.1}))))
	if a.Hashcode() != b.Hashcode() {
		t.Fatalf("%s and %s no longer collide (%x, %x)", a.Name(), b.Name(), a.Hashcode(), b.Hashcode())
	}
	return g, a, b
}

// TestCollidingNamesAreFound documents how the pair was found, so that a
// new pair can be searched for if Gorgonia's hashing ever changes.
func TestCollidingNamesAreFound(t *testing.T) {
	h := func(name string) uint32 {
		f := fnv.New32a()
		fmt.Fprintf(f, "%v%v", "Vector float64", tensor.Shape{3})
		f.Write([]byte(name))
		f.Write([]byte{0})
		return f.Sum32()
	}
	if h(collidingNames[0]) != h(collidingNames[1]) {
		t.Errorf("the names' hashes differ: %x %x", h(collidingNames[0]), h(collidingNames[1]))
	}
}

// TestGorgoniaMergesOnCollision shows the defect Apply exists for: with
// colliding inputs, G.ApplyOp returns tanh(a) for tanh(b).
func TestGorgoniaMergesOnCollision(t *testing.T) {
	_, a, b := collidingVectors(t)
	ta := G.Must(G.Tanh(a))
	if tb := G.Must(G.Tanh(b)); tb != ta {
		t.Skip("Gorgonia no longer merges colliding nodes")
	}
}

// TestApplyNeverMergesDifferentComputations checks that Apply gives tanh(b)
// a node of its own over b, and still shares a true repeat of tanh(a).
func TestApplyNeverMergesDifferentComputations(t *testing.T) {
	_, a, b := collidingVectors(t)
	ta, err := BuildIsolated(G.Nodes{a}, func(in G.Nodes) (G.Nodes, error) {
		n, err := G.Tanh(in[0])
		return G.Nodes{n}, err
	})
	if err != nil {
		t.Fatal(err)
	}
	tb, err := Apply(ta[0].Op(), b)
	if err != nil {
		t.Fatal(err)
	}
	if tb == ta[0] || children(tb)[0] != b {
		t.Fatalf("tanh(%s) merged with tanh(%s)", b.Name(), a.Name())
	}
	again, err := Apply(ta[0].Op(), a)
	if err != nil {
		t.Fatal(err)
	}
	if again != ta[0] {
		t.Error("a true repeat of tanh(a) was not shared")
	}
}

// TestCompileForcedCollision compiles sum(a⊙a) + sum(b⊙b) + sum(a⊙b) with
// colliding a and b: the forward graph (built safely) and the gradient must
// be those of the formula. As a control, G.Grad of sum(a⊙b) makes g⊙b and
// g⊙a, whose hashes collide, and merges them; symbolicGrad does not.
func TestCompileForcedCollision(t *testing.T) {
	g, a, b := collidingVectors(t)
	_ = g
	build := func(in G.Nodes, f func(G.Nodes) (*G.Node, error)) *G.Node {
		t.Helper()
		out, err := BuildIsolated(in, func(s G.Nodes) (G.Nodes, error) {
			n, err := f(s)
			return G.Nodes{n}, err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out[0]
	}
	sq := func(x *G.Node) *G.Node {
		return build(G.Nodes{x}, func(s G.Nodes) (*G.Node, error) { return G.HadamardProd(s[0], s[0]) })
	}
	sum := func(x *G.Node) *G.Node {
		return build(G.Nodes{x}, func(s G.Nodes) (*G.Node, error) { return G.Sum(s[0]) })
	}
	add := func(x, y *G.Node) *G.Node {
		return build(G.Nodes{x, y}, func(s G.Nodes) (*G.Node, error) { return G.Add(s[0], s[1]) })
	}
	ab := sum(build(G.Nodes{a, b}, func(s G.Nodes) (*G.Node, error) { return G.HadamardProd(s[0], s[1]) }))
	loss := add(add(sum(sq(a)), sum(sq(b))), ab)

	p, err := Compile(loss, []*G.Node{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.RunTrain(); err != nil {
		t.Fatal(err)
	}
	av, bv := a.Value().Data().([]float64), b.Value().Data().([]float64)
	want := 0.0
	for i := range av {
		want += av[i]*av[i] + bv[i]*bv[i] + av[i]*bv[i]
	}
	if got := p.Loss(); math.Abs(got-want) > 1e-12 {
		t.Errorf("loss %v, want %v", got, want)
	}
	ga, _ := p.Grad(a)
	gb, _ := p.Grad(b)
	for i := range av {
		if d := ga.Data().([]float64)[i] - (2*av[i] + bv[i]); math.Abs(d) > 1e-12 {
			t.Errorf("d/d%s[%d] off by %v", a.Name(), i, d)
		}
		if d := gb.Data().([]float64)[i] - (2*bv[i] + av[i]); math.Abs(d) > 1e-12 {
			t.Errorf("d/d%s[%d] off by %v", b.Name(), i, d)
		}
	}

	// The control: the gradients of sum(a⊙b) are g⊙b and g⊙a.
	for _, tc := range []struct {
		name       string
		grad       func(*G.Node, G.Nodes) (G.Nodes, error)
		wantMerged bool
	}{
		{"G.Grad", func(c *G.Node, w G.Nodes) (G.Nodes, error) { return G.Grad(c, w...) }, true},
		{"symbolicGrad", symbolicGrad, false},
	} {
		rw, err := rewriteGraph(G.Nodes{ab}, G.Nodes{a, b}, nil)
		if err != nil {
			t.Fatal(err)
		}
		grads, err := tc.grad(rw.roots[0], rw.params)
		if err != nil {
			t.Fatal(err)
		}
		merged := grads[0] == grads[1] || !reaches(grads[0], rw.params[1]) || !reaches(grads[1], rw.params[0])
		if merged != tc.wantMerged {
			t.Errorf("%s: the two gradients merged: %v, want %v", tc.name, merged, tc.wantMerged)
		}
	}
}

// reaches reports whether to is n or one of its (transitive) inputs.
func reaches(n, to *G.Node) bool {
	seen := map[*G.Node]bool{}
	stack := G.Nodes{n}
	for len(stack) > 0 {
		m := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if m == to {
			return true
		}
		if !seen[m] {
			seen[m] = true
			stack = append(stack, children(m)...)
		}
	}
	return false
}

// TestGorgoniaConcatGradientPast256: the gradient of Gorgonia's own
// Concat gives every piece its own part of the upstream gradient, also
// past 256 along the axis, where Gorgonia's SymDiff cuts with slices
// whose hashes agree modulo 256 and two pieces merged into one node
// (loss = sum(concat ⊙ w): the gradient of each piece is its part of w).
func TestGorgoniaConcatGradientPast256(t *testing.T) {
	for _, c := range []struct {
		axis   int
		widths []int
	}{
		{1, []int{128, 128, 128, 128}},
		{1, []int{100, 156, 100, 156}},
		{0, []int{256, 256}},
		{0, []int{3, 253, 3}},
	} {
		t.Run(fmt.Sprint(c.axis, c.widths), func(t *testing.T) {
			g := G.NewGraph()
			var ps G.Nodes
			total := 0
			for i, w := range c.widths {
				shape := []int{2, w}
				if c.axis == 0 {
					shape = []int{w, 2}
				}
				ps = append(ps, G.Must(NewParam(g, fmt.Sprint("p", i), tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float64)))))
				total += w
			}
			cat := G.Must(G.Concat(c.axis, ps...))
			wv := make([]float64, 2*total)
			for i := range wv {
				wv[i] = float64(i)
			}
			w := G.Must(Constant(g, tensor.New(tensor.WithShape(cat.Shape()...), tensor.WithBacking(wv))))
			p, err := Compile(G.Must(G.Sum(G.Must(G.HadamardProd(cat, w)))), ps)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.RunTrain(); err != nil {
				t.Fatal(err)
			}
			cols := cat.Shape()[1]
			offset := 0
			for i, q := range p.Params() {
				got := q.Grad.Data().([]float64)
				s := q.Grad.Shape()
				for k := range got {
					r, col := k/s[1], k%s[1]
					if c.axis == 0 {
						r += offset
					} else {
						col += offset
					}
					if want := wv[r*cols+col]; got[k] != want {
						t.Fatalf("piece %d: grad[%d] = %v, want %v", i, k, got[k], want)
					}
				}
				offset += c.widths[i]
			}
		})
	}
}

// TestOpsNeverMergeOnCollision: symgrad's builders (its own ops, and
// Gorgonia's ops they apply) give f(b) a node of its own when b's hash
// collides with a's, so sum(f(a)) + 2·sum(f(b)) has the loss and the
// gradients of the same graph built over inputs that do not collide.
func TestOpsNeverMergeOnCollision(t *testing.T) {
	for _, c := range []struct {
		name string
		f    func(*G.Node) (*G.Node, error)
	}{
		{"sigmoid", ops.Sigmoid}, {"tanh", ops.Tanh}, {"relu", ops.ReLU}, {"exp", ops.Exp},
		{"square", ops.Square}, {"neg", ops.Neg}, {"abs", ops.Abs},
		{"x+x", func(x *G.Node) (*G.Node, error) { return ops.Add(x, x) }},
		{"x*2", func(x *G.Node) (*G.Node, error) { return ops.Mul(x, 2.0) }},
		{"sum", func(x *G.Node) (*G.Node, error) { return ops.SumAlong(x) }},
		{"mean", func(x *G.Node) (*G.Node, error) { return ops.MeanAlong(x) }},
		{"narrow", func(x *G.Node) (*G.Node, error) { return ops.Narrow(x, 0, 1, 2) }},
		{"softmax", func(x *G.Node) (*G.Node, error) { return ops.Softmax(x, 0) }},
		{"logsoftmax", func(x *G.Node) (*G.Node, error) { return ops.LogSoftmax(x, 0) }},
		{"slice", func(x *G.Node) (*G.Node, error) { return ops.SliceAlong(x, 0, 0, 2) }},
		{"mse to 2x", func(x *G.Node) (*G.Node, error) { return ops.MSE(x, G.Must(ops.Mul(x, 2.0))) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, a, b := collidingVectors(t)
			fa, fb := G.Must(c.f(a)), G.Must(c.f(b))
			if fa == fb {
				t.Fatal("f(a) and f(b) are one node")
			}
			got := compileLossAndGrads(t, fa, fb, a, b)
			g := G.NewGraph()
			a2 := G.NewTensor(g, tensor.Float64, 1, G.WithShape(3), G.WithName("a"), G.WithValue(a.Value()))
			b2 := G.NewTensor(g, tensor.Float64, 1, G.WithShape(3), G.WithName("b"), G.WithValue(b.Value()))
			want := compileLossAndGrads(t, G.Must(c.f(a2)), G.Must(c.f(b2)), a2, b2)
			for i := range want {
				if math.Abs(got[i]-want[i]) > 1e-12 {
					t.Fatalf("loss and gradients %v, want %v", got, want)
				}
			}
		})
	}
}

// compileLossAndGrads compiles sum(fa) + 2·sum(fb) and returns its loss
// and the gradients of a and b, one slice.
func compileLossAndGrads(t *testing.T, fa, fb, a, b *G.Node) []float64 {
	t.Helper()
	two := MustConstant(fa.Graph(), 2.0)
	loss := G.Must(G.Add(G.Must(ops.SumAlong(fa)), G.Must(G.Mul(two, G.Must(ops.SumAlong(fb))))))
	p, err := Compile(loss, []*G.Node{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.RunTrain(); err != nil {
		t.Fatal(err)
	}
	out := []float64{p.Loss()}
	for _, q := range p.Params() {
		out = append(out, q.Grad.Data().([]float64)...)
	}
	return out
}
