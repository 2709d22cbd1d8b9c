package hostile_test

import (
	"math"

	"github.com/symgrad/symgrad/train"
)

// clipNaN is a Clip whose norm limit is NaN (the field is Clip.Norm on
// this branch; the api helper renames it MaxNorm).
func clipNaN() train.Clip { return train.Clip{MaxNorm: math.NaN()} }
