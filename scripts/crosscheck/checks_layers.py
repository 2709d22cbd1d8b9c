"""Layers against PyTorch beyond what an expression reaches: models.GRU
(multi-layer, bidirectional) on PyTorch's nn.GRU weights, through the Go
helper's `gru` command: loss, output, h_n and the gradients of x and of
every parameter. (Conv1d, the 1-d pools, padded max-pool 2d, global pools
and embeddings are ops the layers call directly: the exprs section checks
them.)"""
import torch

import stio
from crosscheck import RTOL64, compare

# (layers, bidirectional, batch, steps, input, hidden)
GRUS = [(1, False, 3, 5, 4, 3), (2, False, 2, 4, 3, 5), (1, True, 3, 5, 4, 3),
        (2, True, 2, 6, 3, 4), (3, True, 1, 3, 2, 2), (1, False, 7, 1, 4, 3)]


def run(h):
    for i, (layers, bi, b, t, n_in, hid) in enumerate(GRUS):
        case = "gru layers=%d bidirectional=%s B=%d T=%d in=%d hidden=%d" % (layers, bi, b, t, n_in, hid)
        if h.wanted(case):
            gru_case(h, case, i, layers, bi, b, t, n_in, hid)


def gru_case(h, case, i, layers, bi, b, t, n_in, hid):
    torch.manual_seed(300 + i)
    gru = torch.nn.GRU(n_in, hid, layers, batch_first=True, bidirectional=bi).double()
    dirs = 2 if bi else 1
    x = torch.randn(b, t, n_in, dtype=torch.float64, requires_grad=True)
    r = torch.randn(b, t, dirs * hid, dtype=torch.float64)
    s = torch.randn(layers * dirs, b, hid, dtype=torch.float64)
    out, hn = gru(x)
    loss = (out * r).sum() + (hn * s).sum()
    loss.backward()
    ref = {"loss": loss.detach(), "output": out.detach(), "h_n": hn.detach(), "grad.x": x.grad.detach()}
    for k, p in gru.named_parameters():
        ref["grad.gru." + k] = p.grad.detach()
    tag = "gru_%d" % i
    w, inp, res = h.path(tag + ".w"), h.path(tag + ".in"), h.path(tag + ".out")
    stio.write(w, {"gru." + k: v for k, v in gru.state_dict().items()})
    stio.write(inp, {"x": x.detach(), "r": r, "s": s})
    try:
        h.go("gru", layers, 1 if bi else 0, w, inp, res)
    except RuntimeError as e:
        h.record("layers", case, False, str(e)[:300])
        return
    ours, _ = stio.read(res)
    compare(h, "layers", case, ours, ref, RTOL64)
