package vmath

import (
	"encoding/binary"
	"math"
	"testing"
)

// FuzzExpSigmoid: for any float64s (from the fuzzer's bytes), Exp and
// Sigmoid give, element by element, the one-at-a-time code's bits, and e^x
// stays within 2 ulp of math.Exp.
func FuzzExpSigmoid(f *testing.F) {
	f.Add(make([]byte, 8*17))
	seed := make([]byte, 8*20)
	for i := range 20 {
		binary.LittleEndian.PutUint64(seed[8*i:], math.Float64bits(float64(i*37%101)-50.5))
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, b []byte) {
		x := make([]float64, len(b)/8)
		for i := range x {
			x[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
		}
		e, s := make([]float64, len(x)), make([]float64, len(x))
		Exp(e, x)
		Sigmoid(s, x)
		for i, v := range x {
			if want := expOne(v); math.Float64bits(e[i]) != math.Float64bits(want) && !(math.IsNaN(e[i]) && math.IsNaN(want)) {
				t.Fatalf("e^%v = %v, the one-at-a-time code gives %v", v, e[i], want)
			}
			if want := sigmoidOne(v); math.Float64bits(s[i]) != math.Float64bits(want) && !(math.IsNaN(s[i]) && math.IsNaN(want)) {
				t.Fatalf("σ(%v) = %v, the one-at-a-time code gives %v", v, s[i], want)
			}
			if u := ulps(e[i], math.Exp(v)); u > 2 {
				t.Fatalf("e^%v = %v, %v ulp from math.Exp's %v", v, e[i], u, math.Exp(v))
			}
		}
	})
}
