package data

import (
	"math"
	"testing"

	"gorgonia.org/tensor"
)

// TestStandardizerMatchesSklearn compares with StandardScaler's mean_, scale_
// and transform (testdata/golden/standardizer.json), including a constant
// column whose scale is 1.
func TestStandardizerMatchesSklearn(t *testing.T) {
	var g struct {
		Fit, Mean, Scale, Apply, Transformed []float64
		Shape                                []int
	}
	readGolden(t, "standardizer.json", &g)
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		tol := map[tensor.Dtype]float64{tensor.Float64: 1e-14, tensor.Float32: 1e-6}[dt]
		x, _ := fromF64(g.Fit, dt, g.Shape...)
		s, err := FitStandardizer(x, PerFeature)
		if err != nil {
			t.Fatal(err)
		}
		assertClose(t, "mean", s.Mean, g.Mean, tol)
		assertClose(t, "scale", s.Scale, g.Scale, tol)
		in, _ := fromF64(g.Apply, dt, 2, g.Shape[1])
		out, err := s.Transform(in)
		if err != nil {
			t.Fatal(err)
		}
		assertClose(t, "transform", float64sOf(out), g.Transformed, tol)
		assertClose(t, "input untouched", float64sOf(in), g.Apply, tol)
		back, err := s.InverseTransform(out)
		if err != nil {
			t.Fatal(err)
		}
		assertClose(t, "inverse", float64sOf(back), g.Apply, 10*tol)
	}
}

// TestStandardizerPooledScopes compares per-channel and per-last-axis
// statistics with numpy's mean and std over the pooled axes.
func TestStandardizerPooledScopes(t *testing.T) {
	var g struct {
		Image      []float64
		ImageShape []int     `json:"image_shape"`
		ImageMean  []float64 `json:"image_mean"`
		ImageScale []float64 `json:"image_scale"`
		Seq        []float64
		SeqShape   []int     `json:"seq_shape"`
		SeqMean    []float64 `json:"seq_mean"`
		SeqScale   []float64 `json:"seq_scale"`
	}
	readGolden(t, "standardizer_pooled.json", &g)
	cases := []struct {
		name        string
		vals        []float64
		shape       []int
		scope       Scope
		mean, scale []float64
	}{
		{"per channel", g.Image, g.ImageShape, PerChannel, g.ImageMean, g.ImageScale},
		{"per last axis", g.Seq, g.SeqShape, PerLastAxis, g.SeqMean, g.SeqScale},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := denseF64(append([]float64(nil), c.vals...), c.shape...)
			s, err := FitStandardizer(x, c.scope)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "mean", s.Mean, c.mean, 1e-13)
			assertClose(t, "scale", s.Scale, c.scale, 1e-13)
			if err := s.TransformInPlace(x); err != nil {
				t.Fatal(err)
			}
			s2, _ := FitStandardizer(x, c.scope)
			for i := range s2.Mean {
				if math.Abs(s2.Mean[i]) > 1e-12 || math.Abs(s2.Scale[i]-1) > 1e-12 {
					t.Fatalf("after transform: mean %v scale %v", s2.Mean, s2.Scale)
				}
			}
		})
	}
}

func TestStandardizeSplitsFitsOnTrainOnly(t *testing.T) {
	d, err := Friedman1(400, 6, 0.5, 3)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := Split(d, SplitConfig{Val: 0.25, Test: 0.25, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	out, s, err := StandardizeSplits(sp, PerFeature)
	if err != nil {
		t.Fatal(err)
	}
	fitTrain, _ := FitStandardizer(sp.Train.X, PerFeature)
	assertClose(t, "mean from train", s.Mean, fitTrain.Mean, 0)
	again, _ := FitStandardizer(out.Train.X, PerFeature)
	assertClose(t, "train mean after", again.Mean, make([]float64, 6), 1e-12)
	val, _ := FitStandardizer(out.Val.X, PerFeature)
	if math.Abs(val.Mean[0]) < 1e-9 {
		t.Fatal("validation split standardized with its own statistics")
	}
	if out.Val.Y != sp.Val.Y || sp.Train.X.Float64s()[0] == out.Train.X.Float64s()[0] {
		t.Fatal("Apply must share Y and copy X")
	}
	if _, _, err := StandardizeSplits(Splits{}, PerFeature); err == nil {
		t.Fatal("no training split accepted")
	}
}

func TestStandardizerErrors(t *testing.T) {
	s, err := FitStandardizer(denseF64([]float64{1, 2, 3, 4}, 2, 2), PerFeature)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transform(denseF64([]float64{1, 2, 3}, 1, 3)); err == nil {
		t.Fatal("wrong sample shape accepted")
	}
	if _, err := FitStandardizer(denseF64([]float64{1, 2}, 2), PerFeature); err == nil {
		t.Fatal("rank-1 tensor accepted")
	}
	if _, err := FitStandardizer(denseF64([]float64{1, 2}, 1, 2), Scope(9)); err == nil {
		t.Fatal("unknown scope accepted")
	}
	_, err = FitStandardizer(denseF64([]float64{1, math.NaN()}, 2, 1), PerFeature)
	assertErrContains(t, err, "not finite")
}
