package ops_test

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/errtext"
	"github.com/symgrad/symgrad/ops"
)

// TestArithmeticErrors checks that bad operands are errors (never panics)
// naming both operands and their shapes or dtypes.
func TestArithmeticErrors(t *testing.T) {
	g := G.NewGraph()
	x := mustParam(g, "x", 4, 3)
	w := mustParam(g, "W", 2, 2)
	v := mustParam(g, "v", 3)
	big := mustParam(g, "big", 2, 1, 2, 1, 2)
	other := mustParam(g, "big2", 1, 2, 1, 2, 1)
	x32 := mustInput(g, "x32", tensor.Float32, 3)
	c := mustInput(g, "c", tensor.Int64, 3)
	t3 := mustParam(g, "T", 2, 3, 4)
	t43 := mustParam(g, "T3", 3, 4, 2)
	s0 := G.NewConstant(2.0, G.In(g))
	h := G.NewGraph()
	y := mustParam(h, "y", 4, 3)
	var nilNode *G.Node
	cases := []struct {
		name string
		f    func() (*G.Node, error)
		want []string
	}{
		{"broadcast", func() (*G.Node, error) { return ops.Add(x, w) }, []string{"ops.Add of x (4, 3) and W (2, 2)", "do not broadcast", "axis 0: size 4 against 2"}},
		{"dtypes", func() (*G.Node, error) { return ops.Mul(v, x32) }, []string{"ops.Mul: v is float64 (3) but x32 is float32 (3)"}},
		{"int64", func() (*G.Node, error) { return ops.Sub(c, v) }, []string{"ops.Sub of c (3) and v (3): c has dtype int64"}},
		{"two numbers", func() (*G.Node, error) { return ops.Div(1.0, 2) }, []string{"ops.Div: at least one operand must be a node, got 1 and 2"}},
		{"string", func() (*G.Node, error) { return ops.Add("1", x) }, []string{"ops.Add: the first operand is a string"}},
		{"nil", func() (*G.Node, error) { return ops.Add(x, nilNode) }, []string{"ops.Add: the second operand is a nil node"}},
		{"graphs", func() (*G.Node, error) { return ops.Add(x, y) }, []string{"ops.Add: x and y belong to different graphs"}},
		{"rank 5", func() (*G.Node, error) { return ops.Add(big, other) }, []string{"ops.Add of big (2, 1, 2, 1, 2) and big2 (1, 2, 1, 2, 1)", "at most 4 axes"}},
		{"matmul inner", func() (*G.Node, error) { return ops.MatMul(x, w) }, []string{"ops.MatMul of x (4, 3) and W (2, 2): inner sizes 3 and 2 differ"}},
		{"matmul inner batched", func() (*G.Node, error) { return ops.MatMul(t3, v) }, []string{"ops.MatMul of T (2, 3, 4) and v (3): inner sizes 4 and 3 differ"}},
		{"matmul batch", func() (*G.Node, error) { return ops.MatMul(t3, t43) }, []string{"ops.MatMul of T (2, 3, 4) and T3 (3, 4, 2)", "the batch axes do not broadcast"}},
		{"matmul scalar", func() (*G.Node, error) { return ops.MatMul(x, s0) }, []string{"ops.MatMul of x (4, 3) and the number 2 (): needs tensors of rank 1 or more"}},
		{"matmul dtypes", func() (*G.Node, error) { return ops.MatMul(v, x32) }, []string{"ops.MatMul: v is float64 (3) but x32 is float32 (3)"}},
		{"maximum", func() (*G.Node, error) { return ops.Maximum(x, w) }, []string{"ops.maximum: shapes of [x (4, 3) W (2, 2)] do not broadcast"}},
		{"where cond", func() (*G.Node, error) { return ops.Where(c, v, v) }, []string{"ops.Where: cond c is int64 (3) but v is float64"}},
		{"where nil", func() (*G.Node, error) { return ops.Where(nil, v, 0) }, []string{"ops.Where: cond is a nil node"}},
		{"clamp NaN", func() (*G.Node, error) { return ops.Clamp(x, math.NaN(), 1) }, []string{"clamp of x: bounds [NaN, 1] must not be NaN"}},
		{"clamp int", func() (*G.Node, error) { return ops.Clamp(c, 0, 1) }, []string{"c has dtype int64"}},
		{"argmax axes", func() (*G.Node, error) { return ops.ArgMax(x, 0, 1) }, []string{"argmax of x (4, 3): at most one axis"}},
		{"argmax axis", func() (*G.Node, error) { return ops.ArgMax(x, 2) }, []string{"argmax", "2"}},
		{"argmin int", func() (*G.Node, error) { return ops.ArgMin(c) }, []string{"argmin: c has dtype int64"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, err := tc.f()
			if err == nil {
				t.Fatalf("no error, got node %v", n)
			}
			for _, w := range errtext.Missing(err.Error(), tc.want...) {
				t.Errorf("error %q does not contain %q", err, w)
			}
		})
	}
}

// TestArithmeticValues checks values of the arithmetic against numbers
// worked by hand: broadcasting, Go numbers of either dtype on either side,
// and the vector cases of MatMul.
func TestArithmeticValues(t *testing.T) {
	a := []float64{1, 2, 3, 4, 5, 6} // [2, 3]
	b := []float64{10, 20, 30}       // [3]
	col := []float64{2, -1}          // [2, 1]
	cases := []struct {
		name string
		f    func(a, b, col *G.Node) (*G.Node, error)
		want []float64
	}{
		{"a + b", func(a, b, _ *G.Node) (*G.Node, error) { return ops.Add(a, b) }, []float64{11, 22, 33, 14, 25, 36}},
		{"b - a", func(a, b, _ *G.Node) (*G.Node, error) { return ops.Sub(b, a) }, []float64{9, 18, 27, 6, 15, 24}},
		{"a * col", func(a, _, col *G.Node) (*G.Node, error) { return ops.Mul(a, col) }, []float64{2, 4, 6, -4, -5, -6}},
		{"col / b", func(_, b, col *G.Node) (*G.Node, error) { return ops.Div(col, b) }, []float64{0.2, 0.1, 2.0 / 30, -0.1, -0.05, -1.0 / 30}},
		{"2 - a", func(a, _, _ *G.Node) (*G.Node, error) { return ops.Sub(2, a) }, []float64{1, 0, -1, -2, -3, -4}},
		{"a / 0.5", func(a, _, _ *G.Node) (*G.Node, error) { return ops.Div(a, float32(0.5)) }, []float64{2, 4, 6, 8, 10, 12}},
		{"a^2", func(a, _, _ *G.Node) (*G.Node, error) { return ops.Pow(a, 2) }, []float64{1, 4, 9, 16, 25, 36}},
		{"a @ b", func(a, b, _ *G.Node) (*G.Node, error) { return ops.MatMul(a, b) }, []float64{140, 320}},
		{"b @ b", func(_, b, _ *G.Node) (*G.Node, error) { return ops.MatMul(b, b) }, []float64{1400}},
		{"maximum(a, 3.5)", func(a, _, _ *G.Node) (*G.Node, error) { return ops.Maximum(a, 3.5) }, []float64{3.5, 3.5, 3.5, 4, 5, 6}},
		{"minimum(col, a)", func(a, _, col *G.Node) (*G.Node, error) { return ops.Minimum(col, a) }, []float64{1, 2, 2, -1, -1, -1}},
		{"where(col, a, -1)", func(a, _, col *G.Node) (*G.Node, error) { return ops.Where(col, a, -1) }, []float64{1, 2, 3, -1, -1, -1}},
		{"clamp(a, 2, 5)", func(a, _, _ *G.Node) (*G.Node, error) { return ops.Clamp(a, 2, 5) }, []float64{2, 2, 3, 4, 5, 5}},
	}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		for _, tc := range cases {
			t.Run(dt.String()+"/"+tc.name, func(t *testing.T) {
				args := []arg{{name: "a", shape: []int{2, 3}, values: a}, {name: "b", shape: []int{3}, values: b},
					{name: "col", shape: []int{2, 1}, values: col}}
				got := runValue(t, dt, args, func(n []*G.Node) (*G.Node, error) { return tc.f(n[0], n[1], n[2]) })
				for i, w := range tc.want {
					if !near(got[i], w, tolFor(dt)) {
						t.Fatalf("got %v, want %v", got, tc.want)
					}
				}
			})
		}
	}
}

// TestBroadcastDoesNotOverwriteItsInputs runs b [3] + a [1, 3] (b is lifted
// to [1, 3] by a reshape) twice: a view-returning reshape followed by an
// in-place add would overwrite the parameter b.
func TestBroadcastDoesNotOverwriteItsInputs(t *testing.T) {
	args := []arg{{name: "b", shape: []int{3}, values: []float64{1, 2, 3}, param: true}, {name: "a", shape: []int{1, 3}, values: []float64{10, 20, 30}, param: true}}
	prog, _, _ := scalarRun(t, tensor.Float64, args, func(_ *G.ExprGraph, n []*G.Node) (*G.Node, error) {
		s, err := ops.Add(n[0], n[1])
		if err != nil {
			return nil, err
		}
		return G.Sum(s)
	})
	for run := 0; run < 2; run++ {
		if err := prog.RunTrain(); err != nil {
			t.Fatal(err)
		}
	}
	if got := prog.Params()[0].Value.Float64s(); got[0] != 1 || got[1] != 2 || got[2] != 3 || prog.Loss() != 66 {
		t.Fatalf("b = %v, loss %v after two runs, want [1 2 3] and 66", got, prog.Loss())
	}
}

// runValue builds f on the args (inputs) in dtype dt and returns its value,
// run by a TapeMachine.
func runValue(t *testing.T, dt tensor.Dtype, args []arg, f func([]*G.Node) (*G.Node, error)) []float64 {
	t.Helper()
	g := G.NewGraph()
	nodes := make([]*G.Node, len(args))
	for i, a := range args {
		nodes[i] = mustInput(g, a.name, dt, a.shape...)
		if err := G.Let(nodes[i], denseOf(a.values, a.shape, dt)); err != nil {
			t.Fatal(err)
		}
	}
	out, err := f(nodes)
	if err != nil {
		t.Fatal(err)
	}
	if out.Dtype() != dt {
		t.Fatalf("output dtype %v, want %v", out.Dtype(), dt)
	}
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return valueFloats(out.Value())
}

// TestArithmeticZeroDimNode checks a 0-d node operand (a scalar constant)
// on either side, in both dtypes: it takes Gorgonia's scalar-tensor path.
func TestArithmeticZeroDimNode(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		t.Run(dt.String(), func(t *testing.T) {
			args := []arg{{name: "x", shape: []int{3}, values: []float64{1, 2, 4}}}
			got := runValue(t, dt, args, func(n []*G.Node) (*G.Node, error) {
				s := scalarOf(n[0].Graph(), 2, dt)
				a, err := ops.Div(s, n[0]) // 2 / x
				if err != nil {
					return nil, err
				}
				return ops.Sub(a, s) // 2/x - 2
			})
			want := []float64{0, -1, -1.5}
			for i := range want {
				if !near(got[i], want[i], tolFor(dt)) {
					t.Fatalf("got %v, want %v", got, want)
				}
			}
		})
	}
}
