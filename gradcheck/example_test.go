package gradcheck_test

import (
	"fmt"

	"github.com/symgrad/symgrad/gradcheck"
	"github.com/symgrad/symgrad/ops"
)

func ExampleCheckOp() {
	mse, _ := ops.Lookup("mse")
	r, err := gradcheck.CheckOp(mse, gradcheck.Config{Seed: 1})
	if err != nil {
		panic(err)
	}
	for _, row := range r.Results {
		fmt.Printf("%s %v: %d elements, %s\n", row.Name, row.Shape, row.Checked, row.Verdict)
	}
	fmt.Println(r.Verdict)
	// Output:
	// p [4 3]: 12 elements, pass
	// t [4 3]: 12 elements, pass
	// pass
}
