"""Writes extra PyTorch trajectories into testdata/torch/ (format: see
/work/shared/fixtures/README.md), for hyperparameter combinations that the
shared fixtures do not cover.

Run with PyTorch 1.13 (Debian bookworm's python3-torch, 1.13.0a0, is the
build that made the shared fixtures, bit for bit):

    /usr/bin/python3 testdata/gen_torch_fixtures.py testdata/torch
"""
import json
import sys

import torch

CASES = [
    ("SGD", {"lr": 0.1, "maximize": True}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.05, "maximize": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.1, "maximize": True, "foreach": True}),
    ("SGD", {"lr": 0.1, "momentum": 0.5, "dampening": 0.5, "maximize": True, "differentiable": False}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-3}),
    ("Adagrad", {"lr": 0.2, "lr_decay": 0.01, "weight_decay": 0.05, "initial_accumulator_value": 0.1, "maximize": True, "foreach": False}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.02, "alpha": 0.5, "eps": 1e-4, "weight_decay": 0.1, "maximize": True}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.8, "momentum": 0.3, "centered": True, "weight_decay": 0.05, "maximize": True, "foreach": True}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01, "maximize": True}),
    ("Adam", {"lr": 0.05, "betas": [0.0, 0.5], "eps": 1e-3, "amsgrad": True, "weight_decay": 0.2, "maximize": True}),
    ("Adam", {"lr": 0.01, "betas": [0.5, 0.9], "foreach": True, "capturable": False, "differentiable": False, "fused": False}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.5}),
    ("AdamW", {"lr": 0.02, "betas": [0.8, 0.95], "eps": 1e-6, "weight_decay": 0.0, "maximize": True}),
    ("AdamW", {"lr": 0.01, "amsgrad": True, "maximize": True, "weight_decay": 0.05, "foreach": True}),
    ("Adadelta", {"lr": 0.5, "weight_decay": 0.1}),
    ("Adadelta", {"lr": 1.0, "rho": 0.5, "eps": 1e-3, "maximize": True}),
    ("Adadelta", {"lr": 2.0, "rho": 0.95, "weight_decay": 0.05, "maximize": True, "foreach": True}),
]


def trajectory(name, hyper, seed, scale, steps=25, n=7):
    gen = torch.Generator().manual_seed(seed)
    p0 = torch.randn(n, generator=gen, dtype=torch.float64)
    grads = scale * torch.randn(steps, n, generator=gen, dtype=torch.float64)
    grads[steps // 2, 0] = 0.0  # an exact zero gradient
    p = p0.clone().requires_grad_(True)
    kwargs = dict(hyper)
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    opt = getattr(torch.optim, name)([p], **kwargs)
    after = []
    for g in grads:
        p.grad = g.clone()
        opt.step()
        after.append(p.detach().tolist())
    return {"p0": p0.tolist(), "grads": grads.tolist(), "params_after_each_step": after}


def main(out_dir):
    for i, (name, hyper) in enumerate(CASES):
        scale = [1.0, 0.01, 10.0][i % 3]
        case = {"name": f"gen{i:02d}_{name.lower()}", "torch_optimizer": name, "hyperparameters": hyper}
        case.update(trajectory(name, hyper, seed=1000 + i, scale=scale))
        case["torch_version"] = torch.__version__
        with open(f"{out_dir}/{case['name']}.json", "w") as f:
            json.dump(case, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
