package train_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/train"
)

// Config.Replicas: 2 and 4 replicas train the weights, the loss history and
// the accuracy of one copy on the whole batch (to 1e-9), and a batch size
// that the replicas do not divide is refused.
func TestFitReplicas(t *testing.T) {
	tr, val := moons(t, 256, 0.1, 3)
	fit := func(t *testing.T, r int) ([]float64, *train.History) {
		m, h := fitMoonsNet(t, tr, val, train.Config{Epochs: 3, Replicas: r})
		var w []float64
		for _, e := range m.StateDict() {
			w = append(w, e.Tensor.Float64s()...)
		}
		return w, h
	}
	ref, refH := fit(t, 1)
	for _, r := range []int{2, 4} {
		t.Run(fmt.Sprintf("replicas=%d", r), func(t *testing.T) {
			w, h := fit(t, r)
			worst := 0.0
			for i := range w {
				worst = math.Max(worst, math.Abs(w[i]-ref[i]))
			}
			if worst > 1e-9 || len(w) != len(ref) {
				t.Fatalf("weights differ from one copy's by %g", worst)
			}
			for _, k := range []string{"loss", "accuracy", "val_loss"} {
				if d := math.Abs(h.Last()[k] - refH.Last()[k]); d > 1e-9 {
					t.Errorf("%s: %v, one copy %v", k, h.Last()[k], refH.Last()[k])
				}
			}
		})
	}
	opt := must(optimizers.NewAdam(optimizers.AdamConfig{}))
	if _, err := train.NewTrainer(must(moonsNet(32)), train.Config{Epochs: 1, Train: tr, Optimizer: opt, Replicas: 3, Rebuild: moonsNet}); err == nil {
		t.Error("batch 32 with 3 replicas: no error")
	}
}
