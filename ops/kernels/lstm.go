package kernels

import "math"

// CellMap says which of the LSTM cell's functions LSTMCell computes. The
// gate activations a [B, 4H] hold i, f, g, o (PyTorch's order) in column
// blocks of width H.
type CellMap uint8

// The cell's functions.
const (
	CellC      CellMap = iota // (a, c) -> c' = f ⊙ c + i ⊙ g
	CellH                     // (a, t) -> h' = o ⊙ t, t = tanh(c')
	CellCGradA                // (a, c, G) -> da of c'
	CellCGradC                // (a, c, G) -> dc of c'
	CellHGradA                // (a, t, G) -> da of h'
	CellHGradC                // (a, t, G) -> dt of h'
)

// Sigmoid is σ(x) = 1/(1 + e^-x), computed as e^x/(1 + e^x) for x < 0 so
// that it never overflows.
func Sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// LSTMCell computes the cell map k row by row: act holds the gate activations
// [B, 4H], x the cell state c (CellC) or t = tanh(c') (CellH), [B, H], g the upstream gradient
// [B, H] (nil for the forward ops), out the result. It computes in
// float64.
func LSTMCell[T Float](k CellMap, h int, act, x, g, out []T) {
	for r := 0; r*h < len(x); r++ {
		a, xr := act[4*r*h:4*(r+1)*h], x[r*h:(r+1)*h]
		ai, af, ag, ao := a[:h], a[h:2*h], a[2*h:3*h], a[3*h:]
		var gr []T
		if g != nil {
			gr = g[r*h : (r+1)*h]
		}
		switch k {
		case CellC:
			or := out[r*h : (r+1)*h]
			for j, xv := range xr {
				or[j] = T(f64(af[j])*f64(xv) + f64(ai[j])*f64(ag[j]))
			}
		case CellH:
			or := out[r*h : (r+1)*h]
			for j, xv := range xr {
				or[j] = T(f64(ao[j]) * f64(xv))
			}
		case CellCGradA:
			o := out[4*r*h : 4*(r+1)*h]
			oi, of, og, oo := o[:h], o[h:2*h], o[2*h:3*h], o[3*h:]
			for j, xv := range xr {
				gv := f64(gr[j])
				oi[j], of[j], og[j], oo[j] = T(gv*f64(ag[j])), T(gv*f64(xv)), T(gv*f64(ai[j])), 0
			}
		case CellCGradC:
			or := out[r*h : (r+1)*h]
			for j := range xr {
				or[j] = T(f64(gr[j]) * f64(af[j]))
			}
		case CellHGradA:
			o := out[4*r*h : 4*(r+1)*h]
			clear(o[:3*h])
			oo := o[3*h:]
			for j, xv := range xr {
				oo[j] = T(f64(gr[j]) * f64(xv))
			}
		case CellHGradC:
			or := out[r*h : (r+1)*h]
			for j := range xr {
				or[j] = T(f64(gr[j]) * f64(ao[j]))
			}
		}
	}
}

// f64 is v in float64, the precision the cell computes in.
func f64[T Float](v T) float64 { return float64(v) }

// LSTMGates computes the activations of x into y (g nil), or, with x the
// activations and g the upstream gradient, the gradient into y. Column
// block 2 (of 4, width h) is tanh, the others σ; with allTanh every
// element is tanh.
func LSTMGates[T Float](h int, allTanh bool, x, g, y []T) {
	for b := 0; b+h <= len(x); b += h {
		xb, yb := x[b:b+h], y[b:b+h]
		tanh := allTanh || (b/h)%4 == 2
		switch {
		case g == nil && tanh:
			TanhInto(yb, xb)
		case g == nil:
			SigmoidInto(yb, xb)
		case tanh:
			gb := g[b : b+h]
			for i, v := range xb {
				a := float64(v)
				yb[i] = T(float64(gb[i]) * (1 - a*a))
			}
		default:
			gb := g[b : b+h]
			for i, v := range xb {
				a := float64(v)
				yb[i] = T(float64(gb[i]) * a * (1 - a))
			}
		}
	}
}
