package safetensors_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/symgrad/symgrad/safetensors"
	"gorgonia.org/tensor"
)

// Save a PyTorch-style state_dict, load it back, and compare values.
func Example() {
	dir, err := os.MkdirTemp("", "safetensors-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "ckpt.safetensors")

	// A Linear(3, 2) layer is stored [out, in], as PyTorch stores it; a
	// BatchNorm's num_batches_tracked is a 0-d int64.
	state := map[string]*tensor.Dense{
		"fc.weight":              tensor.New(tensor.WithShape(2, 3), tensor.WithBacking([]float32{1, 2, 3, 4, 5, 6})),
		"fc.bias":                tensor.New(tensor.WithShape(2), tensor.WithBacking([]float32{0.5, -0.5})),
		"bn.num_batches_tracked": tensor.New(tensor.FromScalar(int64(100))),
	}

	// Write replaces the file atomically; metadata values are strings.
	if err := safetensors.Write(path, state, map[string]string{"format": "pt"}); err != nil {
		panic(err)
	}

	// Read validates the whole file and returns the tensors in header order.
	f, err := safetensors.Read(path)
	if err != nil {
		panic(err)
	}
	for _, name := range f.Order {
		t := f.Tensors[name]
		fmt.Printf("%-24s %-4s shape %-7s dims %d\n", name, f.Dtypes[name], fmt.Sprint([]int(t.Shape())), t.Dims())
	}
	fmt.Println("metadata:", f.Metadata)

	// A 0-d tensor's Data() is the value itself.
	fmt.Println("num_batches_tracked:", f.Tensors["bn.num_batches_tracked"].Data())

	// AsFloat64 gives any tensor as float64, for comparing with a reference.
	w, err := safetensors.AsFloat64(f.Tensors["fc.weight"])
	if err != nil {
		panic(err)
	}
	fmt.Println("fc.weight as float64:", w.Data())

	// A missing tensor is an error that names the file and the tensor.
	_, err = f.Tensor("fc2.weight")
	fmt.Println(err != nil)

	// Output:
	// bn.num_batches_tracked   I64  shape []      dims 0
	// fc.bias                  F32  shape [2]     dims 1
	// fc.weight                F32  shape [2 3]   dims 2
	// metadata: map[format:pt]
	// num_batches_tracked: 100
	// fc.weight as float64: [1 2 3 4 5 6]
	// true
}
