package compiler

import (
	"strings"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"

	"github.com/symgrad/symgrad/ops"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/internal/nodes"
	"github.com/symgrad/symgrad/internal/panics"
)

// ConstPrefix starts the name of every constant made by Constant. The
// compiler treats a leaf whose name has this prefix as a constant: it is
// neither a parameter nor an input to bind.
const ConstPrefix = nodes.ConstPrefix

// Gorgonia hash-conses nodes: two input nodes with the same name, type and
// shape become one node, and constants are deduplicated by their printed
// value (which elides the middle of large tensors). Every leaf symgrad makes
// therefore gets a name that is unique in its graph, and constants are leaves
// too (named inputs with a bound value), never Gorgonia constant nodes.

// NewInput adds a data input (a leaf to bind before each run, such as a batch
// x or its targets y) named name, of dtype dt and the given shape. A zero
// tensor is bound to it so that binding copies into preallocated memory. An
// empty shape makes a scalar input.
func NewInput(g *G.ExprGraph, name string, dt tensor.Dtype, shape ...int) (n *G.Node, err error) {
	defer panics.Recover(&err, "input %q %v", name, shape)
	if err := checkNewName(g, name); err != nil {
		return nil, err
	}
	if err := checkShape(shape); err != nil {
		return nil, errors.Wrapf(err, "input %q", name)
	}
	if len(shape) == 0 {
		n = G.NewScalar(g, dt, G.WithName(name), G.WithValue(zeroScalar(dt)))
	} else {
		v := tensor.New(tensor.Of(dt), tensor.WithShape(shape...))
		n = G.NewTensor(g, dt, len(shape), G.WithName(name), G.WithShape(shape...), G.WithValue(v))
	}
	markPlaceholder(n)
	return n, nil
}

// NewParam adds a trainable parameter named name whose initial value is v.
// The node owns v: optimizers update it in place.
func NewParam(g *G.ExprGraph, name string, v *tensor.Dense) (n *G.Node, err error) {
	defer panics.Recover(&err, "param %q", name)
	if err := checkNewName(g, name); err != nil {
		return nil, err
	}
	if strings.HasPrefix(name, ConstPrefix) {
		return nil, errors.Errorf("param %q: the prefix %q is reserved for constants", name, ConstPrefix)
	}
	if v == nil || v.Dims() == 0 {
		return nil, errors.Errorf("param %q: value must be a tensor of rank >= 1", name)
	}
	if err := checkFloat(v.Dtype()); err != nil {
		return nil, errors.Wrapf(err, "param %q", name)
	}
	return G.NewTensor(g, v.Dtype(), v.Dims(), G.WithName(name), G.WithShape(v.Shape()...), G.WithValue(v)), nil
}

// Constant adds a constant tensor (or scalar, when v is a float64 or float32)
// to g under a fresh unique name. Unlike G.NewConstant it never merges two
// distinct constants.
func Constant(g *G.ExprGraph, v any) (*G.Node, error) { return nodes.Constant(g, v) }

// MustConstant is Constant for examples and tests: it panics on error.
func MustConstant(g *G.ExprGraph, v any) *G.Node {
	n, err := Constant(g, v)
	if err != nil {
		panic(err)
	}
	return n
}

// IsConstant reports whether n is a constant made by Constant, or one of
// Gorgonia's own constant nodes.
func IsConstant(n *G.Node) bool { return nodes.IsConstant(n) }

func checkNewName(g *G.ExprGraph, name string) error {
	if g == nil {
		return errors.Errorf("node %q: nil graph", name)
	}
	if name == "" {
		return errors.New("node name must not be empty")
	}
	if len(g.ByName(name)) > 0 {
		return errors.Errorf("node name %q is already used in this graph (Gorgonia would merge the two nodes)", name)
	}
	return nil
}

func checkShape(shape []int) error {
	n := 1
	for i, d := range shape {
		if d <= 0 {
			return errors.Errorf("shape %v: dimension %d is %d, must be positive", shape, i, d)
		}
		if n > maxElements/d {
			return errors.Errorf("shape %v: more than %d elements", shape, maxElements)
		}
		n *= d
	}
	return nil
}

// maxElements bounds the elements of a node's value (2^40: 8 TiB of
// float64), so that a byte count never overflows and a shape such as
// [2^62, 4] is an error, not an empty tensor.
const maxElements = 1 << 40

func checkFloat(dt tensor.Dtype) error {
	if dt != tensor.Float64 && dt != tensor.Float32 {
		return errors.Errorf("dtype %v is not a float dtype (float64 or float32)", dt)
	}
	return nil
}

func zeroScalar(dt tensor.Dtype) any {
	switch dt {
	case tensor.Float32:
		return float32(0)
	case tensor.Int64:
		return int64(0)
	case tensor.Int:
		return 0
	default:
		return float64(0)
	}
}

// children returns n's input nodes, in argument order (ops.Inputs).
func children(n *G.Node) G.Nodes { return ops.Inputs(n) }

// isLeaf reports whether n's value is bound rather than computed
// (nodes.IsLeaf).
func isLeaf(n *G.Node) bool { return nodes.IsLeaf(n) }
