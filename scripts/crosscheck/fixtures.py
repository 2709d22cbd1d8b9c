#!/usr/bin/python3
"""Writes the small PyTorch fixtures of cmd/gradcheck/*_crosscheck_test.go
(regression tests for the mismatches the harness found; they run without
torch). Run from the repository root:

    /usr/bin/python3 scripts/crosscheck/fixtures.py
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stio  # noqa: E402

OUT = "cmd/gradcheck/testdata"


def reference(path, fn, inputs):
    """PyTorch's value and grad.<var> of value.sum() for fn(inputs)."""
    args = {k: (v.clone().requires_grad_(True) if v.is_floating_point() else v) for k, v in inputs.items()}
    value = fn(*args.values())
    (value if value.dim() == 0 else value.sum()).backward()
    ref = {"value": value.detach()}
    ref.update({"grad." + k: v.grad for k, v in args.items() if v.is_floating_point()})
    stio.write(path, ref)


def main():
    torch.manual_seed(7)
    f64 = torch.float64
    # 0-d scalars: s * t and exp(s) * t are 0-d in PyTorch, not [1]
    sc = {"s": torch.tensor(1.25, dtype=f64), "t": torch.tensor(-0.5, dtype=f64)}
    stio.write(OUT + "/crosscheck_scalars.input.safetensors", sc)
    reference(OUT + "/crosscheck_scalars_mul.reference.safetensors", lambda s, t: s * t, sc)
    reference(OUT + "/crosscheck_scalars_exp.reference.safetensors", lambda s, t: torch.exp(s) * t, sc)
    # an expression starting with a minus sign
    xy = {"x": torch.randn(3, 2, dtype=f64), "y": torch.randn(3, 2, dtype=f64)}
    stio.write(OUT + "/crosscheck_minus.input.safetensors", xy)
    reference(OUT + "/crosscheck_minus.reference.safetensors", lambda x, y: -x ** 2 + y, xy)
    # class indices out of range: PyTorch raises "Target 3 is out of bounds"
    stio.write(OUT + "/crosscheck_badclass.input.safetensors",
               {"x": torch.randn(4, 3, dtype=f64), "c": torch.tensor([0, 2, 3, 1])})
    stio.write(OUT + "/crosscheck_mlp_badclass.batch.safetensors",
               {"x": torch.randn(2, 784, dtype=f64), "y": torch.tensor([3, -1])})
    try:
        F.cross_entropy(torch.randn(4, 3, dtype=f64), torch.tensor([0, 2, 3, 1]))
    except (IndexError, RuntimeError) as e:
        print("PyTorch:", e)


main()
