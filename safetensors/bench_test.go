package safetensors

import (
	"io"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

// mlpState is the mlp zoo model's parameters (784-256-128-10, float64).
func mlpState() map[string]*tensor.Dense {
	r := rand.New(rand.NewPCG(3, 4))
	state := map[string]*tensor.Dense{}
	for i, d := range [][2]int{{256, 784}, {128, 256}, {10, 128}} {
		name := "fc" + string(rune('1'+i))
		state[name+".weight"] = build(tensor.Float64, []int{d[0], d[1]}, randomBacking(tensor.Float64, d[0]*d[1], r))
		state[name+".bias"] = build(tensor.Float64, []int{d[0]}, randomBacking(tensor.Float64, d[0], r))
	}
	return state
}

// BenchmarkEncode writes the mlp checkpoint (1.8 MB) to io.Discard.
func BenchmarkEncode(b *testing.B) {
	state := mlpState()
	b.SetBytes(int64(len(encode(&testing.T{}, state, nil))))
	for b.Loop() {
		if err := Encode(io.Discard, state, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeTransposed writes the mlp checkpoint from transposed
// weights, which are copied element by element.
func BenchmarkEncodeTransposed(b *testing.B) {
	state := mlpState()
	for _, t := range state {
		if t.Dims() == 2 {
			t.T()
		}
	}
	for b.Loop() {
		if err := Encode(io.Discard, state, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode reads the mlp checkpoint from memory.
func BenchmarkDecode(b *testing.B) {
	raw := encode(&testing.T{}, mlpState(), nil)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Decode(raw); err != nil {
			b.Fatal(err)
		}
	}
}
