package optimizers

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"gorgonia.org/tensor"
)

// readGolden decodes testdata/name (made by testdata/gen_torch_schedules.py
// with PyTorch 1.13) into v.
func readGolden(t *testing.T, name string, v any) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// argOr returns args[key] as a float64, or def.
func argOr(args map[string]any, key string, def float64) float64 {
	if v, ok := args[key]; ok {
		return v.(float64)
	}
	return def
}

// TestTorchSchedules compares every scheduler's rates with PyTorch's
// get_last_lr() after the constructor and each step() (ReduceLROnPlateau:
// the rate after each step(metric)), to 1e-12 relative.
func TestTorchSchedules(t *testing.T) {
	var golden struct {
		Cases []struct {
			Scheduler string         `json:"scheduler"`
			Args      map[string]any `json:"args"`
			LR0       float64        `json:"lr0"`
			Metrics   []float64      `json:"metrics"`
			LRs       []float64      `json:"lrs"`
		} `json:"cases"`
	}
	readGolden(t, "torch_schedules.json", &golden)
	for _, c := range golden.Cases {
		opt := &lrBox{c.LR0}
		var got []float64
		if c.Scheduler == "ReduceLROnPlateau" {
			got = plateauRates(t, opt, c.Args, c.Metrics)
		} else {
			s := torchScheduler(t, opt, c.Scheduler, c.Args)
			got = append(got, s.LastLR())
			for len(got) < len(c.LRs) {
				s.Step()
				got = append(got, s.LastLR())
			}
		}
		for i, want := range c.LRs {
			if !closeRel(got[i], want, 1e-12) {
				t.Errorf("%s %v: epoch %d: lr %.17g, PyTorch %.17g", c.Scheduler, c.Args, i, got[i], want)
			}
		}
	}
}

func torchScheduler(t *testing.T, opt LRSetter, name string, a map[string]any) Scheduler {
	var s Scheduler
	var err error
	switch name {
	case "StepLR":
		s, err = NewStepLR(opt, int(argOr(a, "step_size", 0)), argOr(a, "gamma", 0.1))
	case "MultiStepLR":
		var ms []int
		for _, m := range a["milestones"].([]any) {
			ms = append(ms, int(m.(float64)))
		}
		s, err = NewMultiStepLR(opt, ms, argOr(a, "gamma", 0.1))
	case "ExponentialLR":
		s, err = NewExponentialLR(opt, argOr(a, "gamma", 0))
	case "CosineAnnealingLR":
		s, err = NewCosineAnnealingLR(opt, int(argOr(a, "T_max", 0)), argOr(a, "eta_min", 0))
	case "LinearLR":
		s, err = NewLinearLR(opt, argOr(a, "start_factor", 1.0/3), argOr(a, "end_factor", 1), int(argOr(a, "total_iters", 5)))
	default:
		t.Fatalf("unknown scheduler %q", name)
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func plateauRates(t *testing.T, opt LRSetter, a map[string]any, metrics []float64) []float64 {
	cfg := PlateauConfig{MinLR: argOr(a, "min_lr", 0), Cooldown: int(argOr(a, "cooldown", 0)), Patience: DefaultPatience}
	if v, ok := a["mode"]; ok {
		cfg.Mode = v.(string)
	}
	if v, ok := a["threshold_mode"]; ok {
		cfg.ThresholdMode = v.(string)
	}
	for key, dst := range map[string]**float64{"factor": &cfg.Factor, "threshold": &cfg.Threshold, "eps": &cfg.Eps} {
		if v, ok := a[key]; ok {
			*dst = new(v.(float64))
		}
	}
	if v, ok := a["patience"]; ok {
		cfg.Patience = int(v.(float64))
	}
	r, err := NewReduceLROnPlateau(opt, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var lrs []float64
	for _, m := range metrics {
		r.Step(m)
		lrs = append(lrs, r.LastLR())
	}
	return lrs
}

// TestTorchClip compares ClipGradNorm and ClipGradValue with PyTorch's
// clip_grad_norm_ and clip_grad_value_ on three gradients, to 1e-12
// relative.
func TestTorchClip(t *testing.T) {
	var golden struct {
		Cases []struct {
			Fn        string      `json:"fn"`
			MaxNorm   float64     `json:"max_norm"`
			NormType  string      `json:"norm_type"`
			ClipValue float64     `json:"clip_value"`
			Grads     [][]float64 `json:"grads"`
			Total     float64     `json:"total"`
			After     [][]float64 `json:"after"`
		} `json:"cases"`
	}
	readGolden(t, "torch_clip.json", &golden)
	for _, c := range golden.Cases {
		var params []Param
		for i, g := range c.Grads {
			params = append(params, Param{Name: strconv.Itoa(i), Grad: vec(g...)})
		}
		if c.Fn == "clip_grad_value_" {
			if err := ClipGradValue(params, c.ClipValue); err != nil {
				t.Fatal(err)
			}
		} else {
			norm, err := strconv.ParseFloat(c.NormType, 64)
			if err != nil {
				t.Fatal(err)
			}
			total, err := ClipGradNorm(params, c.MaxNorm, norm, true)
			if err != nil {
				t.Fatal(err)
			}
			if !closeRel(total, c.Total, 1e-12) {
				t.Errorf("%s max %v p %v: total %.17g, PyTorch %.17g", c.Fn, c.MaxNorm, norm, total, c.Total)
			}
		}
		for i, p := range params {
			checkFloats(t, c.Fn+" "+c.NormType+" grad "+p.Name, p.Grad.Float64s(), c.After[i], 1e-12)
		}
	}
}

// TestGradNormMatchesFloat32 checks that float32 gradients give the norm
// of their float64 values.
func TestGradNormMatchesFloat32(t *testing.T) {
	a := []Param{{Name: "a", Grad: vec32(0.5, -1.5, 2)}}
	b := []Param{{Name: "a", Grad: tensor.New(tensor.WithShape(3), tensor.WithBacking(floats64(a[0].Grad)))}}
	for _, p := range []float64{1, 2, 3, math.Inf(1)} {
		if x, y := GradNorm(a, p), GradNorm(b, p); x != y {
			t.Errorf("p=%v: float32 %v, float64 %v", p, x, y)
		}
	}
}
