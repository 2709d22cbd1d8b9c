package optimizers

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"gorgonia.org/tensor"
)

// slot is the state an optimizer keeps for one parameter: its step count
// and its buffers (named by store.names), in the parameter's dtype.
type slot struct {
	step  int64
	shape tensor.Shape
	dtype tensor.Dtype
	f64   [][]float64 // buffers when dtype is Float64
	f32   [][]float32 // buffers when dtype is Float32
	stamp uint64      // store.stamp of the last Step that saw this param
	born  uint64      // store.stamp of the Step that created it (0: loaded)
}

// rule is an update rule: it updates one param from its slot, whose step
// count has already been incremented.
type rule interface {
	update(p Param, s *slot)
}

// store holds the per-parameter state shared by every optimizer and
// implements Step's checks, State and LoadState.
type store struct {
	opt   string    // optimizer name, for errors
	names []string  // buffer names, PyTorch's state keys (e.g. "exp_avg")
	init  []float64 // initial value of each buffer
	slots map[string]*slot
	stamp uint64 // counts calls to step
}

func newStore(opt string, names []string, init []float64) store {
	return store{opt: opt, names: names, init: init, slots: map[string]*slot{}}
}

// step checks every param, then increments each stepped param's count and
// applies r to it. Only the first Step that sees a param allocates.
func (st *store) step(params []Param, r rule) error {
	st.stamp++
	if err := st.prepare(params); err != nil {
		return err
	}
	for _, p := range params {
		if p.Grad == nil {
			continue
		}
		s := st.slots[p.Name]
		if dt := p.Value.Dtype(); s.dtype != dt {
			s.convert(dt) // state loaded (or last used) in the other precision
		}
		s.step++
		r.update(p, s)
	}
	return nil
}

// prepare checks params and finds or creates their slots. On error it
// removes the slots it created, leaving the state as it was.
func (st *store) prepare(params []Param) error {
	for i, p := range params {
		err := checkParam(st.opt, i, p)
		if err == nil && p.Grad != nil {
			err = st.prepareOne(p)
		}
		if err != nil {
			for _, q := range params[:i] {
				if s := st.slots[q.Name]; s != nil && s.born == st.stamp {
					delete(st.slots, q.Name)
				}
			}
			return err
		}
	}
	return nil
}

func (st *store) prepareOne(p Param) error {
	s := st.slots[p.Name]
	if s == nil {
		st.slots[p.Name] = st.newSlot(p.Value)
		return nil
	}
	if s.stamp == st.stamp {
		return fmt.Errorf("optimizers: %s: param %q appears twice in one Step", st.opt, p.Name)
	}
	s.stamp = st.stamp
	if vs := p.Value.Shape(); len(st.names) > 0 && !sameShape(s.shape, vs) {
		return fmt.Errorf("optimizers: %s: param %q: state %q has shape %v, value has shape %v",
			st.opt, p.Name, p.Name+"."+st.names[0], s.shape, vs)
	}
	return nil
}

func (st *store) newSlot(v *tensor.Dense) *slot {
	n := floatLen(v)
	s := &slot{shape: slices.Clone(v.Shape()), dtype: v.Dtype(), stamp: st.stamp, born: st.stamp}
	if s.dtype == tensor.Float64 {
		s.f64 = make([][]float64, len(st.names))
		for j := range s.f64 {
			s.f64[j] = filled(n, st.init[j])
		}
	} else {
		s.f32 = make([][]float32, len(st.names))
		for j := range s.f32 {
			s.f32[j] = filled(n, float32(st.init[j]))
		}
	}
	return s
}

func filled[T float](n int, v T) []T {
	b := make([]T, n)
	if v != 0 {
		for i := range b {
			b[i] = v
		}
	}
	return b
}

// convert casts the slot's buffers to dtype dt, as PyTorch's
// load_state_dict casts state to its parameter's dtype.
func (s *slot) convert(dt tensor.Dtype) {
	if dt == tensor.Float32 {
		s.f32 = make([][]float32, len(s.f64))
		for j, b := range s.f64 {
			s.f32[j] = convertSlice[float32](b)
		}
		s.f64 = nil
	} else {
		s.f64 = make([][]float64, len(s.f32))
		for j, b := range s.f32 {
			s.f64[j] = convertSlice[float64](b)
		}
		s.f32 = nil
	}
	s.dtype = dt
}

func convertSlice[D, S float](src []S) []D {
	dst := make([]D, len(src))
	for i, v := range src {
		dst[i] = D(v)
	}
	return dst
}

// buffer returns a copy of buffer j as a tensor of the param's shape.
func (s *slot) buffer(j int) *tensor.Dense {
	if s.dtype == tensor.Float64 {
		return denseOf(s.shape, slices.Clone(s.f64[j]))
	}
	return denseOf(s.shape, slices.Clone(s.f32[j]))
}

// denseOf wraps data in a tensor of the given shape (0-d if shape is empty).
func denseOf[T float](shape tensor.Shape, data []T) *tensor.Dense {
	if len(shape) == 0 {
		return tensor.New(tensor.FromScalar(data[0]))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

// state implements Optimizer.State.
func (st *store) state() map[string]*tensor.Dense {
	out := make(map[string]*tensor.Dense, len(st.slots)*(1+len(st.names)))
	for name, s := range st.slots {
		out[name+".step"] = tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{float64(s.step)}))
		for j, b := range st.names {
			out[name+"."+b] = s.buffer(j)
		}
	}
	return out
}

// load implements Optimizer.LoadState: it checks every key of m, then
// replaces the state with copies of m's tensors.
func (st *store) load(m map[string]*tensor.Dense) error {
	params := map[string]bool{}
	for _, key := range slices.Sorted(maps.Keys(m)) {
		name, suffix, ok := cutLast(key)
		if !ok || (suffix != "step" && !slices.Contains(st.names, suffix)) {
			return fmt.Errorf("optimizers: %s: LoadState: unknown key %q (keys are <param>.%s)",
				st.opt, key, strings.Join(append([]string{"step"}, st.names...), ", <param>."))
		}
		if m[key] == nil {
			return fmt.Errorf("optimizers: %s: LoadState: key %q is a nil tensor", st.opt, key)
		}
		params[name] = true
	}
	slots := make(map[string]*slot, len(params))
	for _, name := range slices.Sorted(maps.Keys(params)) {
		s, err := st.loadSlot(name, m)
		if err != nil {
			return fmt.Errorf("optimizers: %s: LoadState: %w", st.opt, err)
		}
		slots[name] = s
	}
	st.slots = slots
	return nil
}

// loadSlot builds the slot of param name from m's keys "<name>.*". If the
// optimizer has already seen the param, the buffers must have its shape;
// otherwise they must all have the shape of the first one.
func (st *store) loadSlot(name string, m map[string]*tensor.Dense) (*slot, error) {
	step, err := loadStep(name+".step", m)
	if err != nil {
		return nil, err
	}
	s := &slot{step: step, dtype: tensor.Float64}
	ref := "param " + strconv.Quote(name)
	if known := st.slots[name]; known != nil {
		s.shape, s.dtype = known.shape, known.dtype
	}
	for j, b := range st.names {
		key := name + "." + b
		t, ok := m[key]
		if !ok {
			return nil, fmt.Errorf("missing key %q", key)
		}
		if err := checkBuffer(key, t); err != nil {
			return nil, err
		}
		switch {
		case j == 0 && st.slots[name] == nil:
			s.shape, ref = slices.Clone(t.Shape()), strconv.Quote(key)
		case !sameShape(t.Shape(), s.shape):
			return nil, fmt.Errorf("key %q has shape %v, want %v (the shape of %s)", key, t.Shape(), s.shape, ref)
		}
		switch {
		case j == 0:
			s.dtype = t.Dtype()
		case t.Dtype() != s.dtype:
			return nil, fmt.Errorf("key %q has dtype %v, key %q has dtype %v", key, t.Dtype(), name+"."+st.names[0], s.dtype)
		}
		if s.dtype == tensor.Float64 {
			s.f64 = append(s.f64, slices.Clone(t.Float64s()))
		} else {
			s.f32 = append(s.f32, slices.Clone(t.Float32s()))
		}
	}
	return s, nil
}

func checkBuffer(key string, t *tensor.Dense) error {
	if !isFloat(t.Dtype()) {
		return fmt.Errorf("key %q has dtype %v; want float32 or float64", key, t.Dtype())
	}
	if err := checkContiguous(t); err != nil {
		return fmt.Errorf("key %q %v", key, err)
	}
	return nil
}

// loadStep reads a step count: one non-negative integer value in a 0-d or
// 1-element tensor of a float or integer dtype.
func loadStep(key string, m map[string]*tensor.Dense) (int64, error) {
	t, ok := m[key]
	if !ok {
		return 0, fmt.Errorf("missing key %q", key)
	}
	if t.Shape().TotalSize() != 1 || (len(t.Shape()) > 0 && t.DataSize() != 1) {
		return 0, fmt.Errorf("key %q has shape %v, want () or (1)", key, t.Shape())
	}
	var v float64
	switch t.Dtype() {
	case tensor.Float64:
		v = t.Float64s()[0]
	case tensor.Float32:
		v = float64(t.Float32s()[0])
	case tensor.Int64:
		v = float64(t.Int64s()[0])
	case tensor.Int:
		v = float64(t.Ints()[0])
	case tensor.Int32:
		v = float64(t.Int32s()[0])
	default:
		return 0, fmt.Errorf("key %q has dtype %v, want a float or integer dtype", key, t.Dtype())
	}
	if !(v >= 0 && v <= 1<<53 && v == math.Trunc(v)) {
		return 0, fmt.Errorf("key %q is %v, want a non-negative integer step count", key, v)
	}
	return int64(v), nil
}

// cutLast splits "fc1.weight.exp_avg" into "fc1.weight" and "exp_avg".
func cutLast(key string) (name, suffix string, ok bool) {
	i := strings.LastIndexByte(key, '.')
	if i <= 0 || i == len(key)-1 {
		return "", "", false
	}
	return key[:i], key[i+1:], true
}

// base implements the methods every optimizer shares for the optimizer
// that embeds it: lr points at its learning rate, r is its update rule and
// st its per-parameter state.
type base struct {
	lr *float64
	r  rule
	st store
}

// LR returns the learning rate γ of the next step.
func (b *base) LR() float64 { return *b.lr }

// SetLR sets the learning rate γ.
func (b *base) SetLR(lr float64) { *b.lr = lr }

// Step applies one update to every param with a gradient.
func (b *base) Step(params []Param) error { return b.st.step(params, b.r) }

// State returns a copy of the state: "<param>.step" and the optimizer's
// buffers, "<param>.<buffer>" (named as in its type's documentation).
func (b *base) State() map[string]*tensor.Dense { return b.st.state() }

// LoadState replaces the state with a copy of m (keys as State's).
func (b *base) LoadState(m map[string]*tensor.Dense) error { return b.st.load(m) }

// hyper is one hyperparameter check: when ok is false the error is
// "optimizers: <optimizer>: invalid <what>: <v>", PyTorch's words.
type hyper struct {
	ok   bool
	what string
	v    float64
}

// checkHypers returns the error of the first failed check, nil when all
// pass.
func checkHypers(opt string, hs ...hyper) error {
	for _, h := range hs {
		if !h.ok {
			return fmt.Errorf("optimizers: %s: invalid %s: %v", opt, h.what, h.v)
		}
	}
	return nil
}
