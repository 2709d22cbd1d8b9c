package data_test

import (
	"fmt"

	"github.com/symgrad/symgrad/data"
)

// Token-id datasets batch and split like any other: X stays int64.
func ExampleKeywordTexts() {
	d, err := data.KeywordTexts(100, 20, 500, 4, 5, 3, 1)
	if err != nil {
		panic(err)
	}
	s, _ := data.Split(d, data.SplitConfig{Val: 0.2, Seed: 1, Stratify: true})
	b, _ := data.NewBatcher(s.Train, data.BatchConfig{Size: 32, Shuffle: true, Seed: 2})
	b.Next()
	fmt.Println(d)
	fmt.Println("train", s.Train.Len(), "val", s.Val.Len(), "batch", b.X().Dtype(), b.X().Shape(), b.Y().Shape())
	// Output:
	// keyword-texts: X (100, 20) int64, Y (100) int64, classes [class 0 class 1 class 2 class 3]
	// train 80 val 20 batch int64 (32, 20) (32)
}
