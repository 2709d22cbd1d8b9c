package gradcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"sync/atomic"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/ops"
)

func TestCatchesWrongGradients(t *testing.T) {
	signWrong := func(x, up *G.Node) (*G.Node, error) { // -3x^2 up where x < 0
		d, err := scaled(1)(x, up)
		if err != nil {
			return nil, err
		}
		s, err := G.Sign(x)
		if err != nil {
			return nil, err
		}
		return G.HadamardProd(d, s)
	}
	ignoresUpstream := func(x, _ *G.Node) (*G.Node, error) { return threeXSquared(x) }
	x := realInput("x", 3, 4)
	cases := []struct {
		name   string
		spec   *ops.Spec
		wantOK bool
	}{
		{"cube correct", fakeSpec(cube("cube", scaled(1)), x), true},
		{"cube off by 1%", fakeSpec(cube("cube*1.01", scaled(1.01)), x), false},
		{"cube off by factor 2", fakeSpec(cube("cube*2", scaled(2)), x), false},
		{"cube wrong sign for x < 0", fakeSpec(cube("cube sign", signWrong), x), false},
		{"cube ignores upstream", fakeSpec(cube("cube noup", ignoresUpstream), x), false},
		{"matmul correct", fakeSpec(matmul(false), realInput("a", 3, 3), realInput("b", 3, 3)), true},
		{"matmul transposed dA", fakeSpec(matmul(true), realInput("a", 3, 3), realInput("b", 3, 3)), false},
	}
	for _, mode := range []Mode{Full, Fast} {
		for _, c := range cases {
			t.Run(mode.String()+"/"+c.name, func(t *testing.T) {
				r, err := CheckOp(c.spec, Config{Mode: mode, Seed: 7})
				if err != nil {
					t.Fatal(err)
				}
				if r.OK() != c.wantOK || r.Error != "" {
					var b bytes.Buffer
					_ = WriteTable(&b, []*Report{r})
					t.Fatalf("verdict %s, want OK=%v\n%s", r.Verdict, c.wantOK, b.String())
				}
				if !c.wantOK && mode == Fast {
					if r.Results[0].Verdict == Fail && (r.Results[0].Mode != "fast+full" || r.Results[0].Worst == nil || len(r.Results[0].Worst.Index) == 0) {
						t.Errorf("fast failure did not rerun full mode: %+v", r.Results[0])
					}
				}
			})
		}
	}
}

func TestSimplenetPasses(t *testing.T) {
	r, err := CheckModel("simplenet", Config{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict != Pass || r.Params != 5101 {
		t.Fatalf("simplenet: verdict %s, %d params (error %q)", r.Verdict, r.Params, r.Error)
	}
	checked := 0
	for _, row := range r.Results {
		checked += row.Checked
	}
	if checked != 5101 {
		t.Errorf("full mode checked %d elements, want 5101", checked)
	}
}

// builder returns a Builder of sum(f(x)) at the given x.
func builder(x []float64, f func(*G.Node) (*G.Node, error)) Builder {
	return func(dt tensor.Dtype) (*Problem, error) {
		g := G.NewGraph()
		v := tensor.New(tensor.WithShape(len(x)), tensor.WithBacking(append([]float64(nil), x...)))
		xn, err := compiler.NewParam(g, "x", v)
		if err != nil {
			return nil, err
		}
		y, err := f(xn)
		if err != nil {
			return nil, err
		}
		s, err := G.Sum(y)
		return &Problem{Loss: s, Params: []*G.Node{xn}}, err
	}
}

func TestKinks(t *testing.T) {
	x := []float64{-1, 0, 0.5, 0, 2}
	cases := []struct {
		name  string
		f     func(*G.Node) (*G.Node, error)
		kinks int
	}{
		{"relu", ops.ReLU, 2},
		{"abs", G.Abs, 2},
		{"square", G.Square, 0},
	}
	for _, c := range cases {
		r, err := Check(c.name, KindExpr, builder(x, c.f), Config{})
		if err != nil {
			t.Fatal(err)
		}
		want := Pass
		if c.kinks > 0 {
			want = KinkOnly
		}
		if r.Verdict != want || r.Results[0].Kinks != c.kinks || r.Results[0].Checked != len(x) {
			t.Errorf("%s: verdict %s with %d kinks, want %s with %d", c.name, r.Verdict, r.Results[0].Kinks, want, c.kinks)
		}
	}
}

func TestWrongGradientAtKinkStillFails(t *testing.T) {
	// d|x|/dx claimed as 5 sign(x) + 3: 3 at the kink, outside [-1, 1].
	bad := &fakeOp{name: "badabs", arity: 1, shape: sameShape,
		do: func(in ...*tensor.Dense) *tensor.Dense { return mapDense(in[0], math.Abs) },
		diff: func(in G.Nodes, _, up *G.Node) (G.Nodes, error) {
			s, _ := G.Sign(in[0])
			d, _ := G.Add(G.NewConstant(3.0), s)
			d, err := G.HadamardProd(d, up)
			return G.Nodes{d}, err
		}}
	r, _ := Check("badabs", KindExpr, builder([]float64{0}, func(x *G.Node) (*G.Node, error) { return G.ApplyOp(bad, x) }), Config{})
	if r.Verdict != Fail {
		t.Fatalf("verdict %s, want fail", r.Verdict)
	}
}

func TestReentrancy(t *testing.T) {
	var calls atomic.Int64
	drift := &fakeOp{name: "drift", arity: 1, shape: sameShape,
		do: func(in ...*tensor.Dense) *tensor.Dense {
			k := 1 + 1e-13*float64(calls.Add(1))
			return mapDense(in[0], func(v float64) float64 { return v * k })
		},
		diff: func(in G.Nodes, _, up *G.Node) (G.Nodes, error) { return G.Nodes{up}, nil }}
	leaky := cube("leaky", func(x, up *G.Node) (*G.Node, error) {
		d, err := scaled(1)(x, up)
		if err != nil {
			return nil, err
		}
		return G.ApplyOp(drift, d)
	})
	r, _ := CheckOp(fakeSpec(leaky, realInput("x", 4)), Config{})
	if r.Verdict != Fail || !strings.Contains(r.Results[0].Note, "not reentrant") {
		t.Fatalf("verdict %s, note %q: want a reentrancy failure", r.Verdict, r.Results[0].Note)
	}
}

func TestCheckProgramRestoresParams(t *testing.T) {
	prob, err := OpBuilder(fakeSpec(cube("cube", scaled(1)), realInput("x", 5)), 3)(tensor.Float64)
	if err != nil {
		t.Fatal(err)
	}
	p, err := prob.Compile()
	if err != nil {
		t.Fatal(err)
	}
	before := append([]float64(nil), p.Params()[0].Value.Data().([]float64)...)
	for _, mode := range []Mode{Full, Fast} {
		r, err := CheckProgram(p, Config{Mode: mode})
		if err != nil || r.Verdict != Pass {
			t.Fatalf("%v: verdict %v, err %v", mode, r.Verdict, err)
		}
	}
	for i, v := range p.Params()[0].Value.Data().([]float64) {
		if math.Float64bits(v) != math.Float64bits(before[i]) {
			t.Fatalf("element %d changed: %v -> %v", i, before[i], v)
		}
	}
}

func TestOrder2(t *testing.T) {
	x := []float64{0.5, -1, 2}
	cube := func(x *G.Node) (*G.Node, error) { return G.Cube(x) }
	cases := []struct {
		name string
		f    func(*G.Node) (*G.Node, error)
		want Verdict
	}{
		{"square", G.Square, Pass},
		{"x*x", func(x *G.Node) (*G.Node, error) { return G.HadamardProd(x, x) }, Pass},
		// Gorgonia's second Grad on the graph it already differentiated
		// reuses the stored first derivative: H v came out as 3 x v
		// instead of 6 x v. compiler.HVP differentiates a fresh copy.
		{"cube", cube, Pass},
		{"relu", ops.ReLU, Pass}, // H v = 0 away from the kink
		{"once", func(x *G.Node) (*G.Node, error) { return G.ApplyOp(onceDifferentiable(), x) }, NotTwiceDifferentiable},
	}
	for _, c := range cases {
		r, err := Check(c.name, KindExpr, builder(x, c.f), Config{Order: 2, Directions: 2})
		if err != nil {
			t.Fatal(err)
		}
		hv := r.Results[len(r.Results)-1]
		if hv.Row != RowHVP || hv.Verdict != c.want {
			t.Errorf("%s: H v row %q verdict %s, want %s (%s)", c.name, hv.Name, hv.Verdict, c.want, hv.Note)
		}
		if c.name == "cube" && hv.Worst != nil {
			if ratio := float64(hv.Worst.Analytic / hv.Worst.Numeric); math.Abs(ratio-1) > 1e-3 {
				t.Errorf("cube: analytic/numeric = %v, want 1 (Gorgonia's second Grad on one graph gave 0.5)", ratio)
			}
		}
	}
	spec := fakeSpec(cube2(), realInput("x", 3))
	spec.TwiceDifferentiable = false
	r, _ := CheckOp(spec, Config{Order: 2})
	if r.Verdict != NotTwiceDifferentiable || r.Order != 2 {
		t.Errorf("declared not twice differentiable: verdict %s, order %d", r.Verdict, r.Order)
	}
}

func cube2() *fakeOp { return cube("cube", scaled(1)) }

// onceDifferentiable is x^3 whose gradient 3x^2 up is an op with no
// derivative of its own.
func onceDifferentiable() *fakeOp {
	grad := &fakeOp{name: "cube'", arity: 2, shape: sameShape,
		do: func(in ...*tensor.Dense) *tensor.Dense {
			up := in[1].Data().([]float64)
			i := -1
			return mapDense(in[0], func(v float64) float64 { i++; return 3 * v * v * up[i] })
		},
		diff: func(G.Nodes, *G.Node, *G.Node) (G.Nodes, error) {
			return nil, errors.New("cube' has no derivative")
		}}
	return cube("cube", func(x, up *G.Node) (*G.Node, error) { return G.ApplyOp(grad, x, up) })
}

func TestFloat32Twin(t *testing.T) {
	relu, _ := ops.Lookup("relu")
	r, err := CheckOp(relu, Config{Dtype: tensor.Float32})
	if err != nil {
		t.Fatal(err)
	}
	n32 := 0
	for _, row := range r.Results {
		if row.Row == RowFloat32 {
			n32++
		}
	}
	if !r.Twin || r.Verdict != Pass || n32 != 2 || r.Dtype != "float32" {
		t.Fatalf("twin %v, verdict %s, %d float32 rows, dtype %s (%s)", r.Twin, r.Verdict, n32, r.Dtype, r.Error)
	}
}

func TestConfig(t *testing.T) {
	c, err := Config{}.withDefaults()
	if err != nil || c.Eps != 1e-6 || c.Atol != 1e-5 || c.Rtol != 1e-3 || c.Order != 1 || c.Dtype != tensor.Float64 {
		t.Fatalf("defaults: %+v, %v", c, err)
	}
	for _, bad := range []Config{{Eps: -1}, {Atol: math.NaN()}, {Order: 3}, {Mode: 9}, {Dtype: tensor.Int64}} {
		if _, err := (bad).withDefaults(); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

func TestReportsRoundTrip(t *testing.T) {
	spec := fakeSpec(cube2(), realInput("x", 3))
	spec.TwiceDifferentiable = false
	r, _ := CheckOp(spec, Config{Order: 2})
	r.Results[0].MaxAbsErr = Float(math.NaN())
	var b bytes.Buffer
	if err := WriteJSON(&b, []*Report{r}); err != nil {
		t.Fatal(err)
	}
	var back []Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if len(back) != 1 || back[0].Verdict != r.Verdict || back[0].Mode != Full || !math.IsNaN(float64(back[0].Results[0].MaxAbsErr)) {
		t.Fatalf("round trip: %+v", back)
	}
	b.Reset()
	if err := WriteTable(&b, []*Report{r}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"MAX ABS ERR", "op cube", "not-twice-differentiable", "total: 1 checks"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestCompareTensor(t *testing.T) {
	got := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float64{1, 2, 3, 4}))
	want := tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]float32{1, 2, 3, 4.1}))
	row, err := CompareTensor("grad.w", RowReference, got, want, Config{})
	if err != nil || row.Verdict != Fail || row.Failed != 1 || row.Worst.Index[0] != 1 || row.Worst.Index[1] != 1 {
		t.Fatalf("%+v %v", row, err)
	}
}

func BenchmarkGradcheck(b *testing.B) {
	for _, mode := range []Mode{Full, Fast} {
		b.Run(mode.String()+"/simplenet", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				r, err := CheckModel("simplenet", Config{Mode: mode})
				if err != nil || r.Verdict != Pass {
					b.Fatal(err, r.Verdict)
				}
			}
		})
	}
}
