#!/usr/bin/python3
"""PyTorch reference for `gradcheck expr "crossentropy(x * s, t)" --input ... --reference ...`:
an integer input (class indices), a 0-d scalar variable, and value.backward().

    /usr/bin/python3 expr_reference.py   (from cmd/gradcheck, writes into testdata/)

The safetensors writer is scripts/crosscheck/stio.py."""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "scripts", "crosscheck"))
import stio  # noqa: E402

torch.manual_seed(0)
x = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
t = torch.tensor([0, 2, 1, 2])
s = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
v = F.cross_entropy(x * s, t)
v.backward()
stio.write("testdata/crossentropy.input.safetensors", {"x": x, "t": t, "s": s})
stio.write("testdata/crossentropy.reference.safetensors", {"value": v, "grad.x": x.grad, "grad.s": s.grad})
