"""Writes testdata/torch_schedules.json and testdata/torch_clip.json:
learning rates from torch.optim.lr_scheduler (get_last_lr() after the
constructor and after each step()) and results of torch.nn.utils
clip_grad_norm_ / clip_grad_value_.

Run with PyTorch 1.13 (Debian bookworm's python3-torch):

    /usr/bin/python3 testdata/gen_torch_schedules.py testdata
"""
import json
import math
import sys

import torch
from torch.optim import lr_scheduler as S

EPOCHS = 40

SCHEDULES = [
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("StepLR", {"step_size": 1, "gamma": 0.9}),
    ("MultiStepLR", {"milestones": [2, 5, 5, 11], "gamma": 0.3}),
    ("ExponentialLR", {"gamma": 0.95}),
    ("CosineAnnealingLR", {"T_max": 10}),
    ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.001}),
    ("CosineAnnealingLR", {"T_max": 1, "eta_min": 0.01}),
    ("LinearLR", {}),
    ("LinearLR", {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 8}),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.25, "total_iters": 4}),
]

PLATEAUS = [
    ({}, [1.0, 0.9, 0.95, 0.9] + [0.9] * 30),
    ({"mode": "max", "factor": 0.5, "patience": 2, "threshold": 0.05, "threshold_mode": "abs", "cooldown": 3, "min_lr": 0.01},
     [0.1 * (i % 7) + 0.01 * i for i in range(40)]),
    ({"factor": 0.2, "patience": 0, "threshold": 0.0, "cooldown": 1, "eps": 1e-3},
     [1.0 / (1 + (i // 3)) for i in range(40)]),
    ({"mode": "max", "patience": 1, "threshold": 0.1}, [1.0, 1.05, 1.2, 1.2, 1.2, 1.5, 1.6, 1.7, 1.9, 1.9]),
]


def sgd(lr):
    p = torch.zeros(1, requires_grad=True)
    return torch.optim.SGD([p], lr=lr)


def schedules():
    out = []
    for name, kw in SCHEDULES:
        opt = sgd(0.1)
        s = getattr(S, name)(opt, **kw)
        lrs = [s.get_last_lr()[0]]
        for _ in range(EPOCHS):
            opt.step()
            s.step()
            lrs.append(s.get_last_lr()[0])
        out.append({"scheduler": name, "args": kw, "lr0": 0.1, "lrs": lrs})
    for kw, metrics in PLATEAUS:
        opt = sgd(0.1)
        s = S.ReduceLROnPlateau(opt, **kw)
        lrs = []
        for m in metrics:
            s.step(m)
            lrs.append(opt.param_groups[0]["lr"])
        out.append({"scheduler": "ReduceLROnPlateau", "args": kw, "lr0": 0.1, "metrics": metrics, "lrs": lrs})
    return out


def clips():
    gen = torch.Generator().manual_seed(7)
    grads = [torch.randn(5, generator=gen, dtype=torch.float64),
             torch.randn(3, 2, generator=gen, dtype=torch.float64) * 3,
             torch.randn(1, generator=gen, dtype=torch.float64)]
    out = []
    for max_norm in [0.5, 100.0]:
        for norm_type in [2.0, 1.0, 3.0, 0.5, math.inf, -math.inf, 0.0]:
            ps = [torch.zeros_like(g, requires_grad=True) for g in grads]
            for p, g in zip(ps, grads):
                p.grad = g.clone()
            total = torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type)
            out.append({"fn": "clip_grad_norm_", "max_norm": max_norm, "norm_type": str(norm_type),
                        "grads": [g.flatten().tolist() for g in grads], "total": total.item(),
                        "after": [p.grad.flatten().tolist() for p in ps]})
    ps = [torch.zeros_like(g, requires_grad=True) for g in grads]
    for p, g in zip(ps, grads):
        p.grad = g.clone()
    torch.nn.utils.clip_grad_value_(ps, 0.75)
    out.append({"fn": "clip_grad_value_", "clip_value": 0.75, "grads": [g.flatten().tolist() for g in grads],
                "after": [p.grad.flatten().tolist() for p in ps]})
    return out


def main(out_dir):
    with open(f"{out_dir}/torch_schedules.json", "w") as f:
        json.dump({"torch_version": torch.__version__, "cases": schedules()}, f, indent=1)
    with open(f"{out_dir}/torch_clip.json", "w") as f:
        json.dump({"torch_version": torch.__version__, "cases": clips()}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
