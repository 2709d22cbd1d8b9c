package train_test

import (
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/optimizers"
	"github.com/symgrad/symgrad/train"
)

// checkPNG decodes the PNG at path and checks its size and that it is a
// drawing: enough non-white pixels and distinct colours.
func checkPNG(t *testing.T, path string, minW, minH int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b := img.Bounds()
	colours := map[[4]uint32]bool{}
	ink := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			colours[[4]uint32{r, g, bl, a}] = true
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				ink++
			}
		}
	}
	frac := float64(ink) / float64(b.Dx()*b.Dy())
	t.Logf("%s: %dx%d, %d colours, %.1f%% ink", filepath.Base(path), b.Dx(), b.Dy(), len(colours), 100*frac)
	if b.Dx() < minW || b.Dy() < minH || len(colours) < 20 || frac < 0.01 || frac > 0.5 {
		t.Errorf("%s: %v, %d colours, %.3f ink: not a plot", path, b, len(colours), frac)
	}
}

// PlotHistory and GradFlow write readable, non-blank PNGs.
func TestPlots(t *testing.T) {
	dir := t.TempDir()
	tr, val := moons(t, 400, 0.2, 3)
	flow := &train.GradFlow{Path: filepath.Join(dir, "gradflow.png")}
	curves := &train.HistoryPlotter{Path: filepath.Join(dir, "history.png")}
	build := func(b int) (*models.Model, error) { return mlp("deep", "bce", b, 2, 2, 16, 16, 16, 1) }
	h, err := train.Fit(context.Background(), must(build(32)), train.Config{Epochs: 12, Train: tr, Validation: val,
		Rebuild: build, Optimizer: must(optimizers.NewSGD(optimizers.SGDConfig{LR: 0.2})), Seed: 2,
		Metrics: []train.Metric{train.Accuracy()}, Callbacks: []train.Callback{flow, curves}})
	if err != nil {
		t.Fatalf("%+v", err)
	}
	checkPNG(t, curves.Path, 900, 400)
	checkPNG(t, flow.Path, 700, 400)
	if len(flow.Norms) != 12 || len(flow.Names) != 8 || flow.Names[0] != "fc1.weight" {
		t.Errorf("grad flow: %d epochs, names %v", len(flow.Norms), flow.Names)
	}
	for e, norms := range flow.Norms {
		for i, v := range norms {
			if !(v > 0) {
				t.Errorf("epoch %d: %s norm %v", e, flow.Names[i], v)
			}
		}
	}
	if err := train.PlotHistory(h, filepath.Join(dir, "again.png")); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("TRAIN_KEEP_PNG") != "" { // look at them: TRAIN_KEEP_PNG=/tmp go test -run TestPlots
		for _, n := range []string{"history.png", "gradflow.png"} {
			b, _ := os.ReadFile(filepath.Join(dir, n))
			os.WriteFile(filepath.Join(os.Getenv("TRAIN_KEEP_PNG"), n), b, 0o644)
		}
	}
}

// GradFlow's norms are those of the raw gradients, before clipping, and
// clipping bounds the global norm the optimizer sees.
func TestGradFlowAndClipping(t *testing.T) {
	tr, _ := moons(t, 200, 0.2, 3)
	flow := &train.GradFlow{}
	var worst float64
	check := &batchEnd{fn: func(tn *train.Trainer) {
		worst = max(worst, optimizers.GradNorm(tn.Params(), 2))
	}}
	_, err := train.Fit(context.Background(), must(moonsNet(16)), train.Config{Epochs: 2, Train: tr, Rebuild: moonsNet,
		Optimizer: must(optimizers.NewSGD(optimizers.SGDConfig{LR: 0.1})), Clip: train.Clip{MaxNorm: 1e-3},
		Callbacks: []train.Callback{flow, check}})
	if err != nil {
		t.Fatalf("%+v", err)
	}
	if worst > 1e-3*(1+1e-9) {
		t.Errorf("clipped global norm %g > 1e-3", worst)
	}
	if flow.Norms[0][0] < 1e-2 {
		t.Errorf("grad flow saw norm %g: clipped, not raw, gradients", flow.Norms[0][0])
	}
}

type batchEnd struct {
	train.Base
	fn func(t *train.Trainer)
}

func (b *batchEnd) OnBatchEnd(t *train.Trainer, _ train.Batch) error {
	b.fn(t)
	return nil
}

// GradFlow with a Path used to redraw its PNG after every epoch (an epoch
// of a small CNN went from 20 ms to 50 ms); it draws at the end of
// training, and every Every epochs when asked.
func TestGradFlowDrawsAtTheEnd(t *testing.T) {
	tr, _ := moons(t, 200, 0.2, 3)
	for _, every := range []int{0, 2} {
		path := filepath.Join(t.TempDir(), "gradflow.png")
		flow := &train.GradFlow{Path: path, Every: every}
		var drawn []bool
		probe := &afterEpoch{fn: func() {
			_, err := os.Stat(path)
			drawn = append(drawn, err == nil)
			os.Remove(path)
		}}
		_, err := train.Fit(context.Background(), must(moonsNet(16)), train.Config{Epochs: 4, Train: tr, Rebuild: moonsNet,
			Optimizer: must(optimizers.NewSGD(optimizers.SGDConfig{LR: 0.1})), Callbacks: []train.Callback{flow, probe}})
		if err != nil {
			t.Fatalf("%+v", err)
		}
		want := []bool{false, every == 2, false, every == 2}
		if fmt.Sprint(drawn) != fmt.Sprint(want) {
			t.Errorf("Every %d: drawn after epochs %v, want %v", every, drawn, want)
		}
		checkPNG(t, path, 700, 400) // drawn at the end
	}
}

// afterEpoch calls fn at every OnEpochEnd.
type afterEpoch struct {
	train.Base
	fn func()
}

func (e *afterEpoch) OnEpochEnd(*train.Trainer, int, train.Logs) error { e.fn(); return nil }
