"""Layer-level cases for LayerNorm, Linear(bias=False), MultiheadAttention
and TransformerEncoderLayer: `crosscheck layer SPEC IN OUT` (attention.go)
against PyTorch, float64, on loss, output, attention weights and every
gradient; the Go layer's fresh state dict must load into the PyTorch module
with load_state_dict(strict=True)."""
import json

import torch
import torch.nn as nn

import stio
from crosscheck import RTOL64, compare

RTOL_LAYER = 1e-8


def causal_mask(n):
    return torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)


def padding_mask(b, s, g):
    """A bool key_padding_mask [b, s] that leaves key 0 of every row."""
    m = torch.rand(b, s, generator=g) < 0.4
    m[:, 0] = False
    return m


# (case name, spec, input shape (x), extra)
CASES = [
    ("layernorm [6] x[4,6]", {"layer": "layernorm", "shape": [6]}, (4, 6), {}),
    ("layernorm [5] x[2,3,5]", {"layer": "layernorm", "shape": [5]}, (2, 3, 5), {}),
    ("layernorm [3,4] x[2,3,4]", {"layer": "layernorm", "shape": [3, 4]}, (2, 3, 4), {}),
    ("layernorm [4] eps 1e-3 no affine", {"layer": "layernorm", "shape": [4], "Eps": 1e-3, "no_affine": True}, (5, 4), {}),
    ("linear bias=False 5->3", {"layer": "linear", "in": 5, "out": 3, "no_bias": True}, (4, 5), {}),
    ("linear 5->3", {"layer": "linear", "in": 5, "out": 3}, (4, 5), {}),
    ("mha E=8 H=1", {"layer": "mha", "embed": 8, "heads": 1}, (2, 5, 8), {}),
    ("mha E=8 H=2", {"layer": "mha", "embed": 8, "heads": 2}, (3, 4, 8), {}),
    ("mha E=12 H=4 causal", {"layer": "mha", "embed": 12, "heads": 4, "causal": True}, (2, 6, 12), {}),
    ("mha E=8 H=4 key padding", {"layer": "mha", "embed": 8, "heads": 4}, (3, 5, 8), {"kpm": True}),
    ("mha E=8 H=2 key padding + causal", {"layer": "mha", "embed": 8, "heads": 2, "causal": True}, (2, 5, 8), {"kpm": True}),
    ("mha E=6 H=3 cross L=3 S=5 key padding", {"layer": "mha", "embed": 6, "heads": 3, "cross": True}, (2, 3, 6), {"kpm": True, "S": 5}),
    ("mha E=8 H=8 float key padding", {"layer": "mha", "embed": 8, "heads": 8}, (2, 4, 8), {"kpm": "float"}),
    ("tel post-norm relu", {"layer": "tel", "embed": 8, "heads": 2, "ff": 16, "activation": "relu"}, (2, 5, 8), {}),
    ("tel post-norm gelu", {"layer": "tel", "embed": 8, "heads": 4, "ff": 12, "activation": "gelu"}, (3, 4, 8), {}),
    ("tel pre-norm relu", {"layer": "tel", "embed": 12, "heads": 3, "ff": 16, "activation": "relu", "norm_first": True}, (2, 6, 12), {}),
    ("tel pre-norm gelu causal + key padding", {"layer": "tel", "embed": 8, "heads": 2, "ff": 16, "activation": "gelu",
                                                "norm_first": True, "causal": True}, (2, 5, 8), {"kpm": True}),
    ("tel post-norm relu key padding", {"layer": "tel", "embed": 8, "heads": 2, "ff": 16}, (3, 5, 8), {"kpm": True}),
]


def module_of(sp):
    t = sp["layer"]
    if t == "layernorm":
        return nn.LayerNorm(sp["shape"], eps=sp.get("Eps", 1e-5), elementwise_affine=not sp.get("no_affine", False))
    if t == "linear":
        return nn.Linear(sp["in"], sp["out"], bias=not sp.get("no_bias", False))
    if t == "mha":
        return nn.MultiheadAttention(sp["embed"], sp["heads"], batch_first=True)
    return nn.TransformerEncoderLayer(sp["embed"], sp["heads"], dim_feedforward=sp["ff"], dropout=0.0,
                                      activation=sp.get("activation", "relu"), batch_first=True,
                                      norm_first=sp.get("norm_first", False))


def randomize(m, g):
    """Moves every parameter off PyTorch's init (zero biases, unit norms)."""
    with torch.no_grad():
        for _, p in m.named_parameters():
            p.copy_(p + 0.3 * torch.randn(p.shape, generator=g, dtype=p.dtype))


def run(h):
    for i, (name, sp, xshape, extra) in enumerate(CASES):
        if h.wanted(name):
            layer_case(h, name, sp, xshape, extra, seed=9000 + i)


def layer_case(h, name, sp, xshape, extra, seed):
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    m = module_of(sp).double()
    m.train()
    randomize(m, g)
    x = torch.randn(xshape, generator=g, dtype=torch.float64, requires_grad=True)
    inputs = {"x": x}
    ins = {"m." + k: v.detach().clone() for k, v in m.state_dict().items()}
    kpm = None
    if extra.get("kpm"):
        b = xshape[0]
        s = extra.get("S", xshape[1])
        kpm = padding_mask(b, s, g)
        if extra["kpm"] == "float":
            kpm = torch.zeros(b, s, dtype=torch.float64).masked_fill(kpm, -1e9) + 0.1 * torch.randn(b, s, generator=g, dtype=torch.float64)
        ins["kpm"] = kpm
    if sp.get("cross"):
        s = extra["S"]
        for k in ("k", "v"):
            inputs[k] = torch.randn(xshape[0], s, xshape[2], generator=g, dtype=torch.float64, requires_grad=True)
    mask = causal_mask(xshape[1]) if sp.get("causal") else None
    if sp["layer"] == "mha":
        out, w = m(x, inputs.get("k", x), inputs.get("v", x), key_padding_mask=kpm, attn_mask=mask, need_weights=True)
    elif sp["layer"] == "tel":
        out, w = m(x, src_mask=mask, src_key_padding_mask=kpm), None
    else:
        out, w = m(x), None
    r = torch.randn(out.shape, generator=g, dtype=torch.float64)
    loss = (out * r).sum()
    ins["r"] = r
    if w is not None:
        rw = torch.randn(w.shape, generator=g, dtype=torch.float64)
        loss = loss + (w * rw).sum()
        ins["rw"] = rw
    loss.backward()
    ref = {"loss": loss.detach(), "output": out.detach()}
    if w is not None:
        ref["weights"] = w.detach()
    for k, v in inputs.items():
        ins[k] = v.detach()
        ref["grad." + k] = v.grad.detach()
    for k, p in m.named_parameters():
        ref["grad.m." + k] = p.grad.detach()
    tag = "layer_%d" % seed
    ip, op = h.path(tag + ".in"), h.path(tag + ".out")
    stio.write(ip, ins)
    try:
        h.go("layer", json.dumps(sp), ip, op)
    except RuntimeError as e:
        h.record("attention", name, False, str(e)[:300])
        return
    ours, _ = stio.read(op)
    init = {k[len("init.m."):]: v for k, v in ours.items() if k.startswith("init.")}
    try:
        module_of(sp).double().load_state_dict(init, strict=True)
        ok, why = True, ""
    except RuntimeError as e:
        ok, why = False, str(e).replace("\n", " ")[:300]
    h.record("attention", name + ": Go's state dict loads strictly", ok, why)
    compare(h, "attention", name, {k: v for k, v in ours.items() if not k.startswith("init.")}, ref, min(RTOL_LAYER, RTOL64 * 100))
