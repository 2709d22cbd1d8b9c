package main

import (
	"fmt"
	"strconv"

	"github.com/pkg/errors"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/symgrad/symgrad/compiler"
	"github.com/symgrad/symgrad/models"
	"github.com/symgrad/symgrad/ops"
	"github.com/symgrad/symgrad/safetensors"
)

// gruCase is `gru LAYERS BIDI WEIGHTS INPUT OUT`: a models.GRU named "gru"
// (sizes from the weights) loaded with WEIGHTS (PyTorch's nn.GRU
// state_dict, names prefixed "gru."), run on INPUT's x [B,T,In]; the loss
// is Σ output ⊙ r + Σ h_n ⊙ s for INPUT's r [B,T,dirs·H] and s
// [layers·dirs,B,H]. OUT gets loss, output [B,T,dirs·H], h_n and grad.x,
// grad.<param> for every parameter.
func gruCase(args []string) error {
	layers, err := strconv.Atoi(args[0])
	if err != nil {
		return err
	}
	bidi := args[1] == "1"
	wf, err := safetensors.Read(args[2])
	if err != nil {
		return err
	}
	in, err := safetensors.Read(args[3])
	if err != nil {
		return err
	}
	x, r, s := in.Tensors["x"], in.Tensors["r"], in.Tensors["s"]
	if x == nil || r == nil || s == nil {
		return errors.Errorf("%s needs x, r and s", args[3])
	}
	w0 := wf.Tensors["gru.weight_hh_l0"]
	if w0 == nil {
		return errors.Errorf("%s has no gru.weight_hh_l0", args[2])
	}
	g := G.NewGraph()
	xs := x.Shape()
	gru, err := models.NewGRU(g, "gru", xs[2], w0.Shape()[1], layers, bidi, tensor.Float64, models.NewRNG(1))
	if err != nil {
		return err
	}
	m := &models.Model{Name: "gru", Graph: g}
	m.Add(gru)
	if err := m.LoadStateDict(wf.Tensors); err != nil {
		return err
	}
	xn, err := compiler.NewParam(g, "x", x.Clone().(*tensor.Dense))
	if err != nil {
		return err
	}
	loss, outs, err := gruLoss(g, gru, xn, r, s)
	if err != nil {
		return err
	}
	return runGRU(m, xn, loss, outs, args[4], xs, len(gru.Weights))
}

// gruLoss builds Σ_t Σ output_t ⊙ r_t + Σ_k Σ h_n[k] ⊙ s_k; outs are the
// output rows (one [B, dirs·H] node per step), then h_n.
func gruLoss(g *G.ExprGraph, gru *models.GRU, x *G.Node, r, s *tensor.Dense) (*G.Node, []*G.Node, error) {
	res, err := gru.Forward(x)
	if err != nil {
		return nil, nil, err
	}
	rn, err := compiler.Constant(g, r)
	if err != nil {
		return nil, nil, err
	}
	var terms, outs []*G.Node
	dot := func(a, b *G.Node) error {
		p, err := G.HadamardProd(a, b)
		if err == nil {
			p, err = ops.SumAlong(p)
		}
		terms = append(terms, p)
		return err
	}
	for t := range res.Steps[0] {
		parts := make([]*G.Node, len(res.Steps))
		for d := range res.Steps {
			parts[d] = res.Steps[d][t]
		}
		o := parts[0]
		if len(parts) > 1 {
			if o, err = ops.Concat(1, parts...); err != nil {
				return nil, nil, err
			}
		}
		rt, err := ops.TimeStep(rn, t)
		if err != nil {
			return nil, nil, err
		}
		if err := dot(o, rt); err != nil {
			return nil, nil, err
		}
		outs = append(outs, o)
	}
	sd := s.Float64s()
	per := s.Shape()[1] * s.Shape()[2]
	for k, h := range res.HN {
		sk, err := compiler.Constant(g, tensor.New(tensor.WithShape(s.Shape()[1], s.Shape()[2]), tensor.WithBacking(append([]float64(nil), sd[k*per:(k+1)*per]...))))
		if err != nil {
			return nil, nil, err
		}
		if err := dot(h, sk); err != nil {
			return nil, nil, err
		}
		outs = append(outs, h)
	}
	loss := terms[0]
	for _, t := range terms[1:] {
		if loss, err = G.Add(loss, t); err != nil {
			return nil, nil, err
		}
	}
	return loss, outs, nil
}

// runGRU runs one training pass and writes loss, output, h_n and the
// gradients.
func runGRU(m *models.Model, x, loss *G.Node, outs []*G.Node, path string, xs tensor.Shape, nh int) error {
	prog, err := compiler.Compile(loss, append(m.Params, x), compiler.WithOutputs(outs...))
	if err != nil {
		return err
	}
	defer prog.Close()
	if err := prog.RunTrain(); err != nil {
		return err
	}
	b, steps := xs[0], xs[1]
	width := outs[0].Shape()[1]
	output := make([]float64, 0, b*steps*width)
	for i := range b {
		for t := range steps {
			row := prog.Output(t).(*tensor.Dense).Float64s()
			output = append(output, row[i*width:(i+1)*width]...)
		}
	}
	var hn []float64
	for k := range nh {
		hn = append(hn, prog.Output(steps+k).(*tensor.Dense).Float64s()...)
	}
	hid := len(hn) / (nh * b)
	res := map[string]*tensor.Dense{
		"loss":   tensor.New(tensor.FromScalar(prog.Loss())),
		"output": tensor.New(tensor.WithShape(b, steps, width), tensor.WithBacking(output)),
		"h_n":    tensor.New(tensor.WithShape(nh, b, hid), tensor.WithBacking(hn)),
	}
	for _, p := range prog.Params() {
		res["grad."+p.Name] = p.Grad.Clone().(*tensor.Dense)
	}
	if len(res) != 3+len(m.Params)+1 {
		return fmt.Errorf("gru: %d result tensors", len(res))
	}
	return safetensors.Write(path, res, nil)
}
