#!/usr/bin/python3
"""Writes PyTorch weights, a batch and reference gradients for a zoo model.

    /usr/bin/python3 torch_reference.py MODEL OUTDIR [BATCH] [SEED]

writes OUTDIR/MODEL.weights.safetensors (the state_dict), MODEL.batch.safetensors
(x, y) and MODEL.reference.safetensors (loss, output, grad.<name>), all float64,
for `gradcheck model MODEL --weights ... --batch ... --reference ...`. The zoo's
PyTorch modules and the hand-written safetensors writer are those of
scripts/crosscheck (zoo.py, stio.py), so only torch is needed.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "scripts", "crosscheck"))
import stio  # noqa: E402
import zoo  # noqa: E402


def main():
    name, out = sys.argv[1], sys.argv[2]
    b = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    torch.manual_seed(int(sys.argv[4]) if len(sys.argv) > 4 else 0)
    torch.set_default_dtype(torch.float64)  # initialise in float64, as before
    m = zoo.make(name)
    x, y = zoo.batch(name, b)
    stio.write("%s/%s.weights.safetensors" % (out, name), m.state_dict())
    stio.write("%s/%s.batch.safetensors" % (out, name), {"x": x, "y": y})
    o = m(x)
    loss = zoo.LOSSES[zoo.MODELS[name][2]](o, y)
    loss.backward()
    ref = {"loss": loss.detach(), "output": o.detach()}
    for pn, p in m.named_parameters():
        ref["grad." + pn] = p.grad
    stio.write("%s/%s.reference.safetensors" % (out, name), ref)


main()
