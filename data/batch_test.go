package data

import (
	"fmt"
	"slices"
	"testing"

	"gorgonia.org/tensor"
)

func TestBatcherEpochs(t *testing.T) {
	for _, n := range []int{1, 7, 10} {
		for _, size := range []int{1, 3, 5, 10, 12} {
			for _, drop := range []bool{false, true} {
				for _, shuffle := range []bool{false, true} {
					name := fmt.Sprintf("n=%d/size=%d/drop=%v/shuffle=%v", n, size, drop, shuffle)
					t.Run(name, func(t *testing.T) { checkBatcher(t, n, size, drop, shuffle) })
				}
			}
		}
	}
}

// checkBatcher runs three epochs and checks counts, shapes, contents and
// coverage of every batch.
func checkBatcher(t *testing.T, n, size int, drop, shuffle bool) {
	d := mustDataset(t, n, 3, 2, 3)
	b, err := NewBatcher(d, BatchConfig{Size: size, Shuffle: shuffle, Seed: 42, DropLast: drop})
	if drop && n < size {
		assertErrContains(t, err, "leaves no batch")
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	wantBatches := (n + size - 1) / size
	if drop {
		wantBatches = n / size
	}
	if b.BatchesPerEpoch() != wantBatches {
		t.Fatalf("BatchesPerEpoch %d, want %d", b.BatchesPerEpoch(), wantBatches)
	}
	for epoch := range 3 {
		if b.Epoch() != epoch {
			t.Fatalf("Epoch() = %d, want %d", b.Epoch(), epoch)
		}
		var seen []int
		batches := 0
		for b.Next() {
			batches++
			idx := b.Indices()
			if len(idx) != size && (drop || batches != wantBatches || len(idx) != n%size) {
				t.Fatalf("batch %d has %d samples", batches, len(idx))
			}
			if !b.X().Shape().Eq(tensor.Shape{len(idx), 2, 3}) || !b.Y().Shape().Eq(tensor.Shape{len(idx)}) {
				t.Fatalf("batch shapes %v %v", b.X().Shape(), b.Y().Shape())
			}
			for r, i := range idx {
				assertClose(t, "batch row", b.X().Float64s()[r*6:(r+1)*6], sampleOf(d, i), 0)
				if b.Y().Int64s()[r] != d.Y.Int64s()[i] {
					t.Fatalf("label of sample %d", i)
				}
			}
			seen = append(seen, idx...)
		}
		if batches != wantBatches {
			t.Fatalf("epoch %d: %d batches, want %d", epoch, batches, wantBatches)
		}
		if !shuffle && !isRange(seen) {
			t.Fatalf("unshuffled order %v", seen)
		}
		if shuffle && epoch == 0 && !slices.Equal(seen, Permutation(n, 42)[:len(seen)]) {
			t.Fatalf("epoch 0 order %v, want Permutation(n, seed)", seen)
		}
		slices.Sort(seen)
		if len(slices.Compact(seen)) != len(seen) || (!drop && len(seen) != n) {
			t.Fatalf("epoch %d covers %v", epoch, seen)
		}
	}
}

// isRange reports whether s is 0, 1, ..., len(s)-1.
func isRange(s []int) bool {
	for i, v := range s {
		if v != i {
			return false
		}
	}
	return true
}

func TestBatcherOrderDependsOnSeedAndEpochOnly(t *testing.T) {
	d := mustDataset(t, 40, 2, 1)
	order := func(b *Batcher) []int {
		var o []int
		for b.Next() {
			o = append(o, b.Indices()...)
		}
		return o
	}
	cfg := BatchConfig{Size: 8, Shuffle: true, Seed: 3}
	b1, _ := NewBatcher(d, cfg)
	b2, _ := NewBatcher(d, cfg)
	e0, e1 := order(b1), order(b1)
	if !slices.Equal(e0, order(b2)) {
		t.Fatal("same seed, different epoch-0 order")
	}
	if slices.Equal(e0, e1) {
		t.Fatal("epochs 0 and 1 have the same order")
	}
	b2.SetEpoch(1)
	if !slices.Equal(order(b2), e1) {
		t.Fatal("SetEpoch(1) does not replay epoch 1")
	}
	b3, _ := NewBatcher(d, BatchConfig{Size: 8, Shuffle: true, Seed: 4})
	if slices.Equal(order(b3), e0) {
		t.Fatal("different seeds, same order")
	}
}

func TestBatcherDoesNotAllocate(t *testing.T) {
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		d, err := mustDataset(t, 103, 0, 1, 4, 4).AsType(dt)
		if err != nil {
			t.Fatal(err)
		}
		b, err := NewBatcher(d, BatchConfig{Size: 16, Shuffle: true, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		// 1000 calls span about 125 epochs: reshuffles and the partial batch included.
		allocs := testing.AllocsPerRun(1000, func() { b.Next() })
		if allocs != 0 {
			t.Fatalf("%v: %v allocations per Next", dt, allocs)
		}
	}
}

func TestBatcherRangeAndErrors(t *testing.T) {
	d := mustDataset(t, 10, 0, 2)
	b, err := NewBatcher(d, BatchConfig{Size: 4})
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for x, y := range b.Batches() {
		sizes = append(sizes, x.Shape()[0])
		if !y.Shape().Eq(tensor.Shape{x.Shape()[0], 1}) {
			t.Fatalf("Y shape %v", y.Shape())
		}
	}
	if !slices.Equal(sizes, []int{4, 4, 2}) || b.Epoch() != 1 {
		t.Fatalf("batch sizes %v, epoch %d", sizes, b.Epoch())
	}
	for x := range b.Batches() {
		_ = x
		break
	}
	b.Reset()
	if b.Epoch() != 0 || b.X() != nil {
		t.Fatal("Reset did not rewind")
	}
	if _, err := NewBatcher(d, BatchConfig{}); err == nil {
		t.Fatal("batch size 0 accepted")
	}
	if _, err := NewBatcher(&Dataset{}, BatchConfig{Size: 1}); err == nil {
		t.Fatal("empty dataset accepted")
	}
}

func BenchmarkBatcherNext(b *testing.B) {
	d := mustDataset(b, 1000, 10, 1, 28, 28)
	bt, err := NewBatcher(d, BatchConfig{Size: 32, Shuffle: true, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		bt.Next()
	}
}
