package rewrite

import (
	"os"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/ops"
)

// wantNames is every default rule, in phase order: the names are printed
// from the rules' patterns, so this table is what the notation prints.
var wantNames = []struct {
	phase Phase
	name  string
}{
	{Canonicalize, "f(constants) -> constant"},
	{Canonicalize, "sizeof(x, axis) -> constant"},
	{Canonicalize, "x * 1 -> x"},
	{Canonicalize, "x + 0 -> x"},
	{Canonicalize, "--x -> x"},
	{Canonicalize, "transpose(transpose(x, p), q) -> transpose(x, p∘q)"},
	{Canonicalize, "reshape(reshape(x)) -> reshape(x)"},
	{Canonicalize, "reshape(x, shape(x)) -> x"},
	{Canonicalize, "softmax_G(x) -> softmax(x)"},
	{Stabilize, "log(softmax(x)) -> logsoftmax(x)"},
	{Stabilize, "log(exp(x)) -> x"},
	{Stabilize, "log(sigmoid(x)) -> -softplus(-x)"},
	{Stabilize, "log(1 + x) -> log1p(x)"},
	{Stabilize, "log(1 - x) -> log1p(-x)"},
	{Stabilize, "nll(logsoftmax(x), c) -> crossentropy(x, c)"},
	{Stabilize, "bce(sigmoid(x), t) -> bcewithlogits(x, t)"},
	{Fuse, "a @ transpose(b) -> gemm(a, b, transB)"},
	{Fuse, "transpose(a) @ b -> gemm(a, b, transA)"},
	{Fuse, "x ∘ repeat₀(reshape(b, 1×N)) -> x ∘ broadcastrows(b)"},
	{Fuse, "gemm(x, W, transB) + broadcastrows(b) -> linear(x, W, b)"},
}

func TestDefaultRulesAreNamedByTheirPatterns(t *testing.T) {
	rules := Default()
	if len(rules) != len(wantNames) {
		t.Fatalf("%d default rules, want %d", len(rules), len(wantNames))
	}
	for i, r := range rules {
		if r.Name != wantNames[i].name || r.Phase != wantNames[i].phase {
			t.Errorf("rule %d: %s %q, want %s %q", i, r.Phase, r.Name, wantNames[i].phase, wantNames[i].name)
		}
	}
}

// Default builds its rules anew: changing one changes nothing Compile
// runs next.
func TestDefaultIsFresh(t *testing.T) {
	a := Default()
	a[0].Name, a[0].Phase = "changed", Fuse
	b := Default()
	if b[0].Name == "changed" || b[0].Phase != Canonicalize || a[0] == b[0] {
		t.Fatalf("Default returned a shared rule: %q %s", b[0].Name, b[0].Phase)
	}
}

func TestSelect(t *testing.T) {
	rs, err := Select("log(exp(x)) -> x", "x * 1 -> x")
	if err != nil || len(rs) != 2 || rs[0].Name != "log(exp(x)) -> x" || rs[1].Phase != Canonicalize {
		t.Fatalf("Select: %v, %v", rs, err)
	}
	if _, err := Select("log(exp(x)) -> y"); err == nil || !strings.Contains(err.Error(), `"log(exp(x)) -> y"`) {
		t.Fatalf("an unknown name: %v, want an error naming it", err)
	}
}

// docs/rules.md is what WriteDocs writes (go generate ./compiler/rewrite),
// and every default rule is documented.
func TestDocsInSync(t *testing.T) {
	want, err := os.ReadFile("../../docs/rules.md")
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	if err := WriteDocs(&got); err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Error("docs/rules.md is stale: run go generate ./compiler/rewrite")
	}
	for _, r := range Default() {
		if r.Doc == "" {
			t.Errorf("rule %q has no Doc", r.Name)
		}
	}
}

func TestPatternString(t *testing.T) {
	x, y := V("x"), V("y")
	for _, c := range []struct {
		p    *Pattern
		want string
	}{
		{Op(ops.KindLog, Op(ops.KindExp, x)), "log(exp(x))"},
		{Op(ops.KindNeg, Op(ops.KindNeg, x)), "--x"},
		{Op(ops.KindNeg, Op(ops.KindAdd, x, y)), "-(x + y)"},
		{Op(ops.KindMul, Op(ops.KindAdd, x, C(1)), C(0.5)), "(x + 1) * 0.5"},
		{Op(ops.KindMatMul, x, Op(ops.KindTranspose, y)), "x @ transpose(y)"},
		{Op(ops.KindTranspose, x).Noted("p"), "transpose(x, p)"},
		{OneOf(Op(ops.KindSigmoid, x), Op(ops.KindTanh, x)), "sigmoid(x)"},
		{Op(ops.KindSoftmax, x).Labeled("softmax_G"), "softmax_G(x)"},
	} {
		if got := c.p.String(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

// testGraph is a, b (vectors of 3) and the nodes a + a, a + b, exp(a).
func testGraph(t *testing.T) (a, b, aa, ab, ea *G.Node) {
	t.Helper()
	g := G.NewGraph()
	a = G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("a"))
	b = G.NewVector(g, tensor.Float64, G.WithShape(3), G.WithName("b"))
	return a, b, G.Must(G.Add(a, a)), G.Must(G.Add(a, b)), G.Must(G.Exp(a))
}

func TestPatternMatch(t *testing.T) {
	a, b, aa, ab, ea := testGraph(t)
	x, y := V("x"), V("y")
	for _, c := range []struct {
		name string
		p    *Pattern
		n    *G.Node
		want map[string]*G.Node // nil: no match
	}{
		{"x + y on a + b", Op(ops.KindAdd, x, y), ab, map[string]*G.Node{"x": a, "y": b}},
		{"x + x on a + a", Op(ops.KindAdd, x, x), aa, map[string]*G.Node{"x": a}},
		{"x + x on a + b", Op(ops.KindAdd, x, x), ab, nil},
		{"x - y on a + b", Op(ops.KindSub, x, y), ab, nil},
		{"exp(x) on a + b", Op(ops.KindExp, x), ab, nil},
		{"exp(x) on a leaf", Op(ops.KindExp, x), a, nil},
		{"exp(x) as e", Op(ops.KindExp, x).As("e"), ea, map[string]*G.Node{"x": a, "e": ea}},
		{"a condition that fails", Op(ops.KindExp, x.If(func(n *G.Node) bool { return n.Dims() == 2 })), ea, nil},
		{"one of, second matches", OneOf(Op(ops.KindLog, x), Op(ops.KindExp, y)), ea, map[string]*G.Node{"y": a}},
		{"a constant that is not one", Op(ops.KindAdd, x, C(1)), ab, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			var m Match
			ok := c.p.Match(c.n, &m)
			if ok != (c.want != nil) {
				t.Fatalf("matched %v, want %v", ok, c.want != nil)
			}
			if !ok && m.n != 0 {
				t.Errorf("a failed match left %d bindings", m.n)
			}
			for name, n := range c.want {
				if got := m.Node(name); got != n {
					t.Errorf("%s bound to %v, want %v", name, got, n)
				}
			}
			if m.n != len(c.want) {
				t.Errorf("%d bindings, want %d", m.n, len(c.want))
			}
		})
	}
}

// Matching runs for every node of every sweep: it allocates nothing of
// its own. Reading a matched op's inputs from Gorgonia's graph (ops.Inputs)
// costs what it costs, as it did for the imperative rules; a pattern whose
// top op is of another kind reads nothing.
func TestPatternMatchAllocatesNothing(t *testing.T) {
	_, _, _, ab, _ := testGraph(t)
	inputs := testing.AllocsPerRun(100, func() { ops.Inputs(ab) })
	other := Op(ops.KindLog, Op(ops.KindAdd, C(1), V("x")))
	if n := testing.AllocsPerRun(100, func() {
		var m Match
		other.Match(ab, &m)
	}); n != 0 {
		t.Errorf("a pattern of another kind: %v allocations per match, want 0", n)
	}
	sum := Op(ops.KindAdd, V("x"), V("y"))
	if n := testing.AllocsPerRun(100, func() {
		var m Match
		sum.Match(ab, &m)
	}); n != inputs {
		t.Errorf("x + y: %v allocations per match, want %v (reading the inputs once)", n, inputs)
	}
}

// A rule whose replacement has another shape is an error naming it, and a
// panic inside a rule is one too.
func TestApplyChecksTheReplacement(t *testing.T) {
	_, _, _, ab, ea := testGraph(t)
	shrink := FromCases(false, Case{Op(ops.KindExp, V("x")), "sum(x)", func(m *Match, _ *G.Node) (*G.Node, error) {
		return G.Sum(m.Node("x"))
	}})
	shrink.Name = "shrink"
	if _, err := shrink.Apply(ea); err == nil || !strings.Contains(err.Error(), `rule "shrink"`) {
		t.Errorf("a replacement of another shape: %v, want an error naming the rule", err)
	}
	if out, err := shrink.Apply(ab); out != nil || err != nil {
		t.Errorf("a node the pattern does not match: %v, %v, want nil, nil", out, err)
	}
	boom := &Rule{Name: "boom", Rewrite: func(*G.Node) (*G.Node, error) { panic("boom") }}
	if _, err := boom.Apply(ea); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("a panicking rule: %v, want an error", err)
	}
}

func TestPhases(t *testing.T) {
	if got := Phases(); !slices.Equal(got, []Phase{Canonicalize, Stabilize, Fuse, Prune}) {
		t.Errorf("Phases() = %v", got)
	}
}
