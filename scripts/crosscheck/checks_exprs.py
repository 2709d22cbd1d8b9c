"""gradcheck expr 'EXPR' --input I --dump OUT against PyTorch: value and
grad.<var> of value.sum() (the documented convention for non-scalar
values)."""
import os

import torch
import torch.nn.functional as F

import stio
from crosscheck import RTOL64, compare

# Input kinds: r normal, p positive [0.5, 2], n negative [-2, -0.5], u in (0.05, 0.95), b 0/1
# floats, c class indices (int64), s a 0-d normal scalar.


def r(*shape):
    return ("r", shape)


def p(*shape):
    return ("p", shape)


def neg(*shape):
    """Negative values in [-2, -0.5]: max-pool padding must never win."""
    return ("n", shape)


def u(*shape):
    return ("u", shape)


def b01(*shape):
    return ("b", shape)


def c(n, classes):
    return ("c", (n,), classes)


def c32(n, classes):
    return ("c32", (n,), classes)


S = ("s", ())


def v(*vals, shape=None):
    """An explicit float64 value (ties, exact zeros, extremes)."""
    t = torch.tensor(vals, dtype=torch.float64)
    return ("v", t.reshape(shape) if shape else t)


def draw(spec, g):
    kind, shape = spec[0], spec[1]
    if kind == "v":
        return shape.clone()
    if kind == "r":
        return torch.randn(shape, generator=g, dtype=torch.float64)
    if kind == "s":
        return torch.randn((), generator=g, dtype=torch.float64)
    if kind == "p":
        return torch.rand(shape, generator=g, dtype=torch.float64) * 1.5 + 0.5
    if kind == "n":
        return -(torch.rand(shape, generator=g, dtype=torch.float64) * 1.5 + 0.5)
    if kind == "u":
        return torch.rand(shape, generator=g, dtype=torch.float64) * 0.9 + 0.05
    if kind == "b":
        return torch.randint(0, 2, shape, generator=g).double()
    if kind == "c":
        return torch.randint(0, spec[2], shape, generator=g)
    if kind == "c32":
        return torch.randint(0, spec[2], shape, generator=g).to(torch.int32)
    raise ValueError(kind)


def bn(x, gm, bt):
    return F.batch_norm(x, None, None, gm, bt, training=True, eps=1e-5)


RED = {0: "mean", 1: "sum", 2: "none"}


def ce_w(x, c, w, ls=0.0, ign=-100, red=0):
    """F.cross_entropy with class weights w, differentiable in w too:
    PyTorch's value and x gradient, plus the w gradient of the same formula
    written with autograd-friendly ops (PyTorch has no derivative for
    weight)."""
    ref = F.cross_entropy(x, c, weight=w.detach(), ignore_index=ign, reduction=RED[red], label_smoothing=ls)
    lp = torch.log_softmax(x.detach(), -1)
    keep = c != ign
    cc = torch.where(keep, c, torch.zeros_like(c))
    nll = -(w[cc] * lp.gather(1, cc[:, None])[:, 0])
    smooth = -(lp * w).sum(1)
    per = keep * ((1 - ls) * nll + ls / x.shape[1] * smooth)
    manual = {0: per.sum() / (keep * w[cc]).sum(), 1: per.sum(), 2: per}[red]
    return ref + (manual - manual.detach())


# (expression, inputs, PyTorch value as a function of the inputs)
CASES = [
    # elementwise arithmetic, broadcasting (numpy rules), scalars
    ("x + y", {"x": r(4, 3), "y": r(4, 3)}, lambda x, y: x + y),
    ("x * y - x / z", {"x": r(4, 3), "y": r(4, 3), "z": p(4, 3)}, lambda x, y, z: x * y - x / z),
    ("x + b", {"x": r(4, 2), "b": r(2)}, lambda x, b: x + b),
    ("x * y", {"x": r(4, 1), "y": r(1, 3)}, lambda x, y: x * y),
    ("x / y", {"x": r(2, 3, 4), "y": p(3, 1)}, lambda x, y: x / y),
    ("b - x", {"x": r(4, 3), "b": r(3)}, lambda x, b: b - x),
    ("x - y", {"x": r(2, 1, 4), "y": r(3, 1)}, lambda x, y: x - y),
    ("s * x + 2", {"x": r(3, 2), "s": S}, lambda x, s: s * x + 2),
    ("x / s - s", {"x": r(5), "s": S}, lambda x, s: x / s - s),
    ("s * t", {"s": S, "t": S}, lambda s, t: s * t),
    ("3 - x * 0.5", {"x": r(4)}, lambda x: 3 - x * 0.5),
    ("-x^2", {"x": r(5)}, lambda x: -x ** 2),
    ("-(x * y)", {"x": r(3), "y": r(3)}, lambda x, y: -(x * y)),
    ("x^3", {"x": r(4, 2)}, lambda x: x ** 3),
    ("x^-1", {"x": p(4)}, lambda x: x ** -1),
    ("x^0.5", {"x": p(4)}, lambda x: x ** 0.5),
    ("x^y", {"x": p(3, 2), "y": r(3, 2)}, lambda x, y: x ** y),
    ("x^y", {"x": p(3, 2), "y": r(2)}, lambda x, y: x ** y),
    ("2^x", {"x": r(4)}, lambda x: 2 ** x),
    ("2^3^x", {"x": r(3)}, lambda x: 2 ** (3 ** x)),
    # matrix products
    ("x @ W", {"x": r(4, 3), "W": r(3, 2)}, lambda x, W: x @ W),
    ("W @ v", {"W": r(4, 3), "v": r(3)}, lambda W, v: W @ v),
    ("v @ W", {"v": r(4), "W": r(4, 3)}, lambda v, W: v @ W),
    ("u @ v", {"u": r(5), "v": r(5)}, lambda u, v: u @ v),
    ("sum(tanh(x @ W + b))", {"x": r(4, 3), "W": r(3, 2), "b": r(2)}, lambda x, W, b: torch.tanh(x @ W + b).sum()),
    # primitives and activations
    ("abs(x)", {"x": r(6)}, torch.abs),
    ("exp(x)", {"x": r(6)}, torch.exp),
    ("log(x)", {"x": p(6)}, torch.log),
    ("log1p(x)", {"x": p(6)}, torch.log1p),
    ("log2(x)", {"x": p(6)}, torch.log2),
    ("sqrt(x)", {"x": p(6)}, torch.sqrt),
    ("square(x)", {"x": r(6)}, torch.square),
    ("invsqrt(x)", {"x": p(6)}, torch.rsqrt),
    ("neg(x)", {"x": r(6)}, torch.neg),
    ("relu(x)", {"x": r(3, 4)}, F.relu),
    ("leakyrelu(x)", {"x": r(3, 4)}, F.leaky_relu),
    ("leakyrelu(x, 0.2)", {"x": r(3, 4)}, lambda x: F.leaky_relu(x, 0.2)),
    ("elu(x)", {"x": r(3, 4)}, F.elu),
    ("elu(x, 0.5)", {"x": r(3, 4)}, lambda x: F.elu(x, 0.5)),
    ("gelu(x)", {"x": r(3, 4)}, F.gelu),
    ("gelutanh(x)", {"x": r(3, 4)}, lambda x: F.gelu(x, approximate="tanh")),
    ("silu(x)", {"x": r(3, 4)}, F.silu),
    ("sigmoid(x)", {"x": r(3, 4)}, torch.sigmoid),
    ("tanh(x)", {"x": r(3, 4)}, torch.tanh),
    ("softplus(x)", {"x": r(3, 4)}, F.softplus),
    # reductions with axes
    ("sum(x)", {"x": r(3, 4, 2)}, lambda x: x.sum()),
    ("sum(x, 1)", {"x": r(3, 4, 2)}, lambda x: x.sum(1)),
    ("sum(x, 0, 2)", {"x": r(3, 4, 2)}, lambda x: x.sum((0, 2))),
    ("sum(x, -1)", {"x": r(3, 4, 2)}, lambda x: x.sum(-1)),
    ("sum(x, -1, -3)", {"x": r(3, 4, 2)}, lambda x: x.sum((-1, -3))),
    ("mean(x)", {"x": r(3, 4, 2)}, lambda x: x.mean()),
    ("mean(x, 0)", {"x": r(3, 4)}, lambda x: x.mean(0)),
    ("mean(x, -2)", {"x": r(3, 4, 2)}, lambda x: x.mean(-2)),
    ("max(x)", {"x": r(3, 4)}, lambda x: x.amax()),
    ("max(x, 1)", {"x": r(3, 4, 2)}, lambda x: x.amax(1)),
    ("max(x, -1)", {"x": r(3, 4)}, lambda x: x.amax(-1)),
    # softmax family
    ("softmax(x)", {"x": r(3, 4)}, lambda x: torch.softmax(x, -1)),
    ("softmax(x, 0)", {"x": r(3, 4)}, lambda x: torch.softmax(x, 0)),
    ("sum(softmax(x, 1) * w)", {"x": r(2, 3, 4), "w": r(2, 3, 4)}, lambda x, w: (torch.softmax(x, 1) * w).sum()),
    ("logsoftmax(x)", {"x": r(3, 4)}, lambda x: torch.log_softmax(x, -1)),
    ("logsoftmax(x, 1) * w", {"x": r(2, 3, 4), "w": r(2, 3, 4)}, lambda x, w: torch.log_softmax(x, 1) * w),
    ("logsumexp(x)", {"x": r(3, 4)}, lambda x: torch.logsumexp(x, -1)),
    ("logsumexp(x, -2)", {"x": r(2, 3, 4)}, lambda x: torch.logsumexp(x, -2)),
    ("logsumexp(x, 0)", {"x": r(5)}, lambda x: torch.logsumexp(x, 0)),
    # losses (PyTorch reduction='mean')
    ("mse(p, t)", {"p": r(4, 3), "t": r(4, 3)}, F.mse_loss),
    ("l1loss(p, t)", {"p": r(4, 3), "t": r(4, 3)}, F.l1_loss),
    ("smoothl1(p, t)", {"p": r(6, 2), "t": r(6, 2)}, F.smooth_l1_loss),
    ("smoothl1(p, t, 0.5)", {"p": r(6, 2), "t": r(6, 2)}, lambda p, t: F.smooth_l1_loss(p, t, beta=0.5)),
    ("huber(p, t)", {"p": r(6, 2), "t": r(6, 2)}, F.huber_loss),
    ("huber(p, t, 0.3)", {"p": r(6, 2), "t": r(6, 2)}, lambda p, t: F.huber_loss(p, t, delta=0.3)),
    ("bce(p, t)", {"p": u(5, 2), "t": u(5, 2)}, F.binary_cross_entropy),
    ("bce(sigmoid(z), t)", {"z": r(5), "t": b01(5)}, lambda z, t: F.binary_cross_entropy(torch.sigmoid(z), t)),
    ("bcewithlogits(x, t)", {"x": r(5, 2), "t": u(5, 2)}, F.binary_cross_entropy_with_logits),
    ("crossentropy(x, c)", {"x": r(6, 4), "c": c(6, 4)}, F.cross_entropy),
    ("crossentropy(x @ W, c)", {"x": r(5, 3), "W": r(3, 4), "c": c(5, 4)}, lambda x, W, c: F.cross_entropy(x @ W, c)),
    ("crossentropy(x, c)", {"x": r(6, 4), "c": c32(6, 4)}, lambda x, c: F.cross_entropy(x, c.long())),
    ("nll(logsoftmax(x), c)", {"x": r(6, 4), "c": c(6, 4)}, lambda x, c: F.nll_loss(torch.log_softmax(x, -1), c)),
    ("nll(l, c)", {"l": r(6, 4), "c": c(6, 4)}, F.nll_loss),
    ("crossentropy(x * s, c)", {"x": r(4, 3), "c": c(4, 3), "s": S}, lambda x, c, s: F.cross_entropy(x * s, c)),
    ("crossentropy(x, c, 0.2)", {"x": r(6, 4), "c": c(6, 4)}, lambda x, c: F.cross_entropy(x, c, label_smoothing=0.2)),
    ("crossentropy(x, c, 0, 1)", {"x": r(6, 4), "c": c(6, 4)}, lambda x, c: F.cross_entropy(x, c, ignore_index=1)),
    ("crossentropy(x, c, 0.1, 2, 1)", {"x": r(6, 4), "c": c(6, 4)},
     lambda x, c: F.cross_entropy(x, c, ignore_index=2, label_smoothing=0.1, reduction="sum")),
    ("crossentropy(x, c, 0.3, -100, 2)", {"x": r(5, 3), "c": c(5, 3)},
     lambda x, c: F.cross_entropy(x, c, label_smoothing=0.3, reduction="none")),
    ("crossentropy(x, c, w)", {"x": r(6, 4), "c": c(6, 4), "w": p(4)}, ce_w),
    ("crossentropy(x, c, w, 0.2, 2)", {"x": r(7, 4), "c": c(7, 4), "w": p(4)}, lambda x, c, w: ce_w(x, c, w, 0.2, 2)),
    ("crossentropy(x, c, w, 0.1, 0, 1)", {"x": r(6, 3), "c": c(6, 3), "w": p(3)}, lambda x, c, w: ce_w(x, c, w, 0.1, 0, 1)),
    ("crossentropy(x, c, w, 0.25, 3, 2)", {"x": r(6, 4), "c": c(6, 4), "w": p(4)}, lambda x, c, w: ce_w(x, c, w, 0.25, 3, 2)),
    # argmax/argmin are int64 and not differentiable: a variable that only
    # feeds them has no gradient, which the CLI refuses (every float
    # variable is differentiated), so their inputs also reach the loss here.
    ("crossentropy(x @ W, argmax(x @ W + 1, 1))", {"x": r(5, 3), "W": r(3, 4)},
     lambda x, W: F.cross_entropy(x @ W, (x @ W + 1).argmax(1))),
    ("crossentropy(x, argmax(x, 1))", {"x": r(5, 4)}, lambda x: F.cross_entropy(x, x.argmax(1))),
    ("nll(logsoftmax(x), argmin(x, -1))", {"x": r(5, 4)}, lambda x: F.nll_loss(torch.log_softmax(x, -1), x.argmin(-1))),
    # arithmetic by name, clamp, selection (issue 16, 17)
    ("add(x, b) * sub(y, 2)", {"x": r(4, 3), "b": r(3), "y": r(4, 1)}, lambda x, b, y: (x + b) * (y - 2)),
    ("div(mul(x, y), z)", {"x": r(2, 3, 4), "y": r(3, 1), "z": p(4)}, lambda x, y, z: x * y / z),
    ("matmul(W, v) + matmul(v, v)", {"W": r(3, 4), "v": r(4)}, lambda W, v: W @ v + v @ v),
    ("pow(x, y)", {"x": p(3, 4), "y": r(4)}, torch.pow),
    ("matmul(x, W)", {"x": r(2, 3, 4), "W": r(4, 5)}, torch.matmul),
    ("matmul(W, x)", {"W": r(3, 4), "x": r(2, 4, 5)}, torch.matmul),
    ("matmul(v, x)", {"v": r(4), "x": r(2, 4, 5)}, torch.matmul),
    ("matmul(x, v)", {"x": r(2, 3, 4), "v": r(4)}, torch.matmul),
    ("matmul(x, y)", {"x": r(2, 3, 4), "y": r(2, 4, 2)}, torch.matmul),
    ("matmul(x, y)", {"x": r(2, 1, 3, 4), "y": r(3, 4, 2)}, torch.matmul),
    ("matmul(x, y)", {"x": r(1, 3, 4), "y": r(2, 4, 2)}, torch.matmul),
    ("clamp(x, -0.5, 0.5)", {"x": r(4, 5)}, lambda x: torch.clamp(x, -0.5, 0.5)),
    ("clamp(x, 0.2)", {"x": r(4, 5)}, lambda x: torch.clamp(x, min=0.2)),
    ("clamp(x * y, -1, 1)", {"x": r(3, 4), "y": r(4)}, lambda x, y: torch.clamp(x * y, -1, 1)),
    ("maximum(x, y)", {"x": r(3, 4), "y": r(4)}, torch.maximum),
    ("minimum(x, y)", {"x": r(3, 1), "y": r(1, 4)}, torch.minimum),
    ("maximum(x, 0.3) * minimum(x, y)", {"x": r(2, 3, 4), "y": r(3, 4)},
     lambda x, y: torch.maximum(x, torch.tensor(0.3, dtype=torch.float64)) * torch.minimum(x, y)),
    ("where(m, x, y)", {"m": b01(3, 4), "x": r(3, 4), "y": r(4)}, lambda m, x, y: torch.where(m > 0, x, y)),
    ("where(m, x * y, -x)", {"m": r(4, 1), "x": r(4, 3), "y": r(3)}, lambda m, x, y: torch.where(m > 0, x * y, -x)),
    ("where(m, x, 0)", {"m": r(5), "x": r(2, 5)}, lambda m, x: torch.where(m > 0, x, torch.zeros((), dtype=torch.float64))),
    # convolution and pooling (NCHW, weights [O, C, kH, kW])
    ("conv2d(x, w, b)", {"x": r(2, 3, 7, 6), "w": r(4, 3, 3, 2), "b": r(4)}, F.conv2d),
    ("conv2d(x, w, b, 2, 2, 1, 1)", {"x": r(2, 3, 7, 6), "w": r(4, 3, 3, 3), "b": r(4)},
     lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1)),
    ("conv2d(x, w, b, 2, 1, 0, 2)", {"x": r(1, 2, 8, 5), "w": r(3, 2, 3, 3), "b": r(3)},
     lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(0, 2))),
    ("fusedconv2d(x, w, b, 1, 2, 1, 0)", {"x": r(2, 2, 6, 7), "w": r(3, 2, 3, 3), "b": r(3)},
     lambda x, w, b: F.conv2d(x, w, b, stride=(1, 2), padding=(1, 0))),
    ("maxpool2d(x, 2, 2)", {"x": r(2, 3, 6, 6)}, lambda x: F.max_pool2d(x, 2)),
    ("maxpool2d(x, 3, 3, 2, 2)", {"x": r(1, 2, 7, 7)}, lambda x: F.max_pool2d(x, 3, 2)),
    ("maxpool2d(x, 2, 3, 1, 2)", {"x": r(1, 2, 5, 7)}, lambda x: F.max_pool2d(x, (2, 3), (1, 2))),
    ("maxpool2d(x, 2, 2)", {"x": r(1, 1, 5, 5)}, lambda x: F.max_pool2d(x, 2)),
    ("fusedmaxpool2d(x, 2, 2)", {"x": r(2, 3, 6, 6)}, lambda x: F.max_pool2d(x, 2)),
    ("avgpool2d(x, 2, 2)", {"x": r(2, 3, 6, 6)}, lambda x: F.avg_pool2d(x, 2)),
    ("avgpool2d(x, 3, 3, 2, 2, 1, 1)", {"x": r(1, 2, 7, 6)}, lambda x: F.avg_pool2d(x, 3, 2, 1)),
    ("avgpool2d(x, 2, 3, 1, 2, 1, 0)", {"x": r(1, 2, 5, 7)}, lambda x: F.avg_pool2d(x, (2, 3), (1, 2), (1, 0))),
    # 1-d convolution (stride, padding, dilation), 1-d pools, padded max-pool 2d, embedding
    ("conv1d(x, w, b)", {"x": r(2, 3, 9), "w": r(4, 3, 3), "b": r(4)}, F.conv1d),
    ("conv1d(x, w, b, 2, 1, 2)", {"x": r(2, 3, 11), "w": r(4, 3, 3), "b": r(4)},
     lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1, dilation=2)),
    ("conv1d(x, w, b, 3, 2, 1)", {"x": r(1, 2, 10), "w": r(3, 2, 4), "b": r(3)},
     lambda x, w, b: F.conv1d(x, w, b, stride=3, padding=2)),
    ("conv1d(x, w, b, 1, 3, 3)", {"x": r(3, 2, 7), "w": r(2, 2, 3), "b": r(2)},
     lambda x, w, b: F.conv1d(x, w, b, padding=3, dilation=3)),
    ("conv1dinputgrad(g, w, 2, 1, 2, 11)", {"g": r(2, 4, 5), "w": r(4, 3, 3)},
     lambda g, w: torch.nn.grad.conv1d_input((2, 3, 11), w, g, stride=2, padding=1, dilation=2)),
    ("conv1dfiltergrad(x, g, 3, 2, 1, 2)", {"x": r(2, 3, 11), "g": r(2, 4, 5)},
     lambda x, g: torch.nn.grad.conv1d_weight(x, (4, 3, 3), g, stride=2, padding=1, dilation=2)),
    ("maxpool1d(x, 2)", {"x": r(2, 3, 9)}, lambda x: F.max_pool1d(x, 2)),
    ("maxpool1d(x, 3, 2, 1)", {"x": r(2, 3, 9)}, lambda x: F.max_pool1d(x, 3, 2, 1)),
    ("maxpool1d(x, 4, 1, 2)", {"x": r(1, 2, 6)}, lambda x: F.max_pool1d(x, 4, 1, 2)),
    ("avgpool1d(x, 2)", {"x": r(2, 3, 9)}, lambda x: F.avg_pool1d(x, 2)),
    ("avgpool1d(x, 3, 2, 1)", {"x": r(2, 3, 9)}, lambda x: F.avg_pool1d(x, 3, 2, 1)),
    ("avgpool1d(x, 4, 3, 2)", {"x": r(1, 2, 7)}, lambda x: F.avg_pool1d(x, 4, 3, 2)),
    ("fusedmaxpool2d(x, 3, 3, 2, 2, 1, 1)", {"x": r(2, 2, 7, 6)}, lambda x: F.max_pool2d(x, 3, 2, 1)),
    ("fusedmaxpool2d(x, 2, 3, 1, 2, 1, 1)", {"x": r(1, 2, 5, 7)}, lambda x: F.max_pool2d(x, (2, 3), (1, 2), 1)),
    ("fusedmaxpool2d(x, 4, 4, 3, 3, 2, 2)", {"x": neg(1, 2, 6, 5)}, lambda x: F.max_pool2d(x, 4, 3, 2)),
    ("max(x, 2)", {"x": r(2, 3, 5)}, lambda x: x.amax(dim=2)),
    ("mean(x, -1)", {"x": r(2, 3, 5)}, lambda x: x.mean(dim=-1)),
    ("swaplast(x)", {"x": r(2, 3, 4)}, lambda x: x.transpose(-2, -1)),
    ("swaplast(x) * y", {"x": r(3, 5), "y": r(5, 3)}, lambda x, y: x.t() * y),
    ("embedding(w, i)", {"w": r(7, 3), "i": c(9, 7)}, lambda w, i: F.embedding(i, w)),
    ("embedding(w, i, 2)", {"w": r(7, 3), "i": c(9, 7)}, lambda w, i: F.embedding(i, w, padding_idx=2)),
    # normalization
    ("batchnorm(x, g, b)", {"x": r(6, 4), "g": r(4), "b": r(4)}, bn),
    ("batchnorm(x, g, b) * w", {"x": r(3, 2, 4, 3), "g": r(2), "b": r(2), "w": r(3, 2, 4, 3)},
     lambda x, g, b, w: bn(x, g, b) * w),
    ("layernorm(x, g, b) * w", {"x": r(3, 5), "g": r(5), "b": r(5), "w": r(3, 5)},
     lambda x, g, b, w: F.layer_norm(x, (5,), g, b) * w),
    ("layernorm(x, g, b, 0.1)", {"x": r(2, 3, 4), "g": r(4), "b": r(4)}, lambda x, g, b: F.layer_norm(x, (4,), g, b, 0.1)),
    # shapes
    ("transpose(x) * w", {"x": r(2, 3, 4), "w": r(4, 3, 2)}, lambda x, w: x.permute(2, 1, 0) * w),
    ("transpose(x, 1, 0, 2) * w", {"x": r(2, 3, 4), "w": r(3, 2, 4)}, lambda x, w: x.permute(1, 0, 2) * w),
    ("reshape(x, 2, 6) * w", {"x": r(3, 4), "w": r(2, 6)}, lambda x, w: x.reshape(2, 6) * w),
    ("concat(x, y, 1) * w", {"x": r(2, 3), "y": r(2, 2), "w": r(2, 5)}, lambda x, y, w: torch.cat([x, y], 1) * w),
    ("concat(x, y, -1) * w", {"x": r(2, 3), "y": r(2, 2), "w": r(2, 5)}, lambda x, y, w: torch.cat([x, y], -1) * w),
    ("slice(x, 1, 1, 3) * w", {"x": r(2, 4), "w": r(2, 2)}, lambda x, w: x[:, 1:3] * w),
    ("slice(x, -1, 0, 2) * w", {"x": r(2, 3, 4), "w": r(2, 3, 2)}, lambda x, w: x[..., 0:2] * w),
    # fused ops with PyTorch equivalents
    ("linear(x, W, b) * w", {"x": r(4, 3), "W": r(2, 3), "b": r(2), "w": r(4, 2)}, lambda x, W, b, w: F.linear(x, W, b) * w),
    ("gemm(A, B, 0, 1) * w", {"A": r(4, 3), "B": r(2, 3), "w": r(4, 2)}, lambda A, B, w: (A @ B.T) * w),
    ("gemm(A, B, 1, 0) * w", {"A": r(3, 4), "B": r(3, 2), "w": r(4, 2)}, lambda A, B, w: (A.T @ B) * w),
    # batched matmul, attention masks, heads
    ("bmm(A, B) * w", {"A": r(2, 3, 4), "B": r(2, 4, 5), "w": r(2, 3, 5)}, lambda A, B, w: torch.matmul(A, B) * w),
    ("bmm(A, B, 0, 1) * w", {"A": r(2, 3, 3, 4), "B": r(2, 3, 5, 4), "w": r(2, 3, 3, 5)},
     lambda A, B, w: torch.matmul(A, B.transpose(-1, -2)) * w),
    ("bmm(A, B, 1, 1) * w", {"A": r(2, 4, 3), "B": r(2, 5, 4), "w": r(2, 3, 5)},
     lambda A, B, w: torch.matmul(A.transpose(-1, -2), B.transpose(-1, -2)) * w),
    ("bmm(A, B) * w", {"A": r(2, 1, 3, 4), "B": r(3, 4, 2), "w": r(2, 3, 3, 2)}, lambda A, B, w: torch.matmul(A, B) * w),
    ("bmm(A, B) * w", {"A": r(3, 4), "B": r(2, 4, 2), "w": r(2, 3, 2)}, lambda A, B, w: torch.matmul(A, B) * w),
    ("softmax(attnmask(x, m), -1) * w", {"x": r(2, 3, 4, 5), "m": r(2, 5), "w": r(2, 3, 4, 5)},
     lambda x, m, w: torch.softmax(x + m.view(2, 1, 1, 5), -1) * w),
    ("softmax(attnmask(x, m, 1), -1) * w", {"x": r(2, 3, 4, 4), "m": r(2, 4), "w": r(2, 3, 4, 4)},
     lambda x, m, w: torch.softmax(x + m.view(2, 1, 1, 4) + torch.triu(torch.full((4, 4), float("-inf"), dtype=torch.float64), 1), -1) * w),
    ("swapaxes(x, 1, 2) * w", {"x": r(2, 3, 4, 5), "w": r(2, 4, 3, 5)}, lambda x, w: x.transpose(1, 2) * w),
    ("narrow(x, 1, 2, 3) * w", {"x": r(2, 6, 2), "w": r(2, 3, 2)}, lambda x, w: x.narrow(1, 2, 3) * w),
    ("colsum(x) * w", {"x": r(4, 3), "w": r(3)}, lambda x, w: x.sum(0) * w),
    ("broadcastrows(v, 3) * w", {"v": r(4), "w": r(3, 4)}, lambda v, w: v.expand(3, 4) * w),
    ("channelsum(x) * w", {"x": r(2, 3, 2, 2), "w": r(3)}, lambda x, w: x.sum((0, 2, 3)) * w),
    ("channelbroadcast(v, 2, 2, 3) * w", {"v": r(3), "w": r(2, 3, 2, 3)}, lambda v, w: v.view(1, 3, 1, 1).expand(2, 3, 2, 3) * w),
    ("timestep(x, 2) * w", {"x": r(2, 4, 3), "w": r(2, 3)}, lambda x, w: x[:, 2, :] * w),
    ("l1penalty(p, 0.1)", {"p": r(3, 2)}, lambda p: 0.1 * p.abs().sum()),
    ("l2penalty(p, q, 0.3)", {"p": r(3, 2), "q": r(4)}, lambda p, q: 0.15 * (p.square().sum() + q.square().sum())),
    ("l1penalty(p)", {"p": r(3)}, lambda p: 0.01 * p.abs().sum()),
    # default arguments
    ("maxpool2d(x, 2)", {"x": r(1, 2, 6, 5)}, lambda x: F.max_pool2d(x, 2)),
    ("maxpool2d(x, 3, 3, 2)", {"x": r(1, 2, 7, 7)}, lambda x: F.max_pool2d(x, 3, 2)),
    ("avgpool2d(x, 2)", {"x": r(1, 2, 6, 5)}, lambda x: F.avg_pool2d(x, 2)),
    ("avgpool2d(x, 3, 3, 2, 2)", {"x": r(1, 2, 7, 7)}, lambda x: F.avg_pool2d(x, 3, 2)),
]

# Ties, exact zeros, kinks and extremes: the sub-gradient PyTorch picks.
EDGE = [
    ("relu(x)", {"x": v(-1, 0, 2, 0)}, F.relu),
    ("abs(x)", {"x": v(-1, 0, 2, 0)}, torch.abs),
    ("leakyrelu(x)", {"x": v(-1, 0, 2)}, F.leaky_relu),
    ("elu(x)", {"x": v(-1, 0, 2)}, F.elu),
    ("max(x)", {"x": v(1, 3, 3, -2)}, lambda x: x.amax()),
    ("max(x, 1)", {"x": v(1, 3, 3, -2, 5, 5, shape=(2, 3))}, lambda x: x.amax(1)),
    ("maxpool2d(x, 2, 2)", {"x": v(1, 1, 4, 4, 1, 1, 4, 4, 0, 2, 3, 3, 2, 0, 3, 3, shape=(1, 1, 4, 4))},
     lambda x: F.max_pool2d(x, 2)),
    ("fusedmaxpool2d(x, 2, 2)", {"x": v(1, 1, 4, 4, 1, 1, 4, 4, 0, 2, 3, 3, 2, 0, 3, 3, shape=(1, 1, 4, 4))},
     lambda x: F.max_pool2d(x, 2)),
    ("l1loss(p, t)", {"p": v(1, 2, 3), "t": v(1, 0, 3)}, F.l1_loss),
    ("mse(p, t)", {"p": v(1, 2, 3), "t": v(1, 0, 3)}, F.mse_loss),
    ("smoothl1(p, t)", {"p": v(2, 0.5, 3), "t": v(1, 0, 3)}, F.smooth_l1_loss),
    ("huber(p, t, 0.5)", {"p": v(2, 0.5, 3), "t": v(1, 0, 3)}, lambda p, t: F.huber_loss(p, t, delta=0.5)),
    ("bce(p, t)", {"p": v(1e-30, 1 - 1e-15, 0.5), "t": v(1, 1, 0)}, F.binary_cross_entropy),
    ("bce(p, t)", {"p": v(0, 1, 0.5), "t": v(0, 1, 0)}, F.binary_cross_entropy),
    ("bce(p, t)", {"p": v(0, 1, 0.5), "t": v(1, 0, 0)}, F.binary_cross_entropy),
    ("bcewithlogits(x, t)", {"x": v(800, -800, 0), "t": v(1, 0, 0.5)}, F.binary_cross_entropy_with_logits),
    ("softmax(x)", {"x": v(1000, 1001, 999)}, lambda x: torch.softmax(x, -1)),
    ("logsumexp(x)", {"x": v(-1000, -1001, -999)}, lambda x: torch.logsumexp(x, -1)),
    ("crossentropy(x, c)", {"x": v(1000, -1000, 0, 0, 500, -500, shape=(2, 3)), "c": ("v", torch.tensor([1, 2]))},
     F.cross_entropy),
    ("sigmoid(x)", {"x": v(-800, 800, 0)}, torch.sigmoid),
    ("softplus(x)", {"x": v(-800, 800, 0, 30)}, F.softplus),
    ("silu(x)", {"x": v(-800, 800, 0)}, F.silu),
    ("gelu(x)", {"x": v(-40, 40, 0)}, F.gelu),
    ("tanh(x)", {"x": v(-40, 40, 0)}, torch.tanh),
    ("log1p(x)", {"x": v(1e-20, 0, 3)}, torch.log1p),
    ("sqrt(x)", {"x": v(4, 1e-300, 9)}, torch.sqrt),
    ("x^2", {"x": v(-3, 0, 2)}, lambda x: x ** 2),
    ("x^3", {"x": v(-3, 0, 2)}, lambda x: x ** 3),
    ("x^0.5", {"x": v(4, 0.25, 9)}, lambda x: x ** 0.5),
    # PyTorch 1.13's tie rules: clamp's bounds inclusive, maximum/minimum split g/2
    ("clamp(x, -1, 1)", {"x": v(-2, -1, 0, 1, 2)}, lambda x: torch.clamp(x, -1, 1)),
    ("maximum(x, y)", {"x": v(1, 2, 3, -1), "y": v(1, 1, 4, -1)}, torch.maximum),
    ("minimum(x, y)", {"x": v(1, 2, 3, -1), "y": v(1, 1, 4, -1)}, torch.minimum),
    ("maximum(x, y)", {"x": v(1, 2, 2, 0, shape=(2, 2)), "y": v(2, 0)}, torch.maximum),
    ("crossentropy(x, argmax(x, 1))", {"x": v(1, 3, 3, 2, 2, 0, shape=(2, 3))}, lambda x: F.cross_entropy(x, x.argmax(1))),
    ("crossentropy(x, c, w, 0.1, 1)", {"x": v(1, 2, 0, 0, 3, 1, shape=(2, 3)), "c": ("v", torch.tensor([1, 2])), "w": v(1, 2, 3)},
     lambda x, c, w: ce_w(x, c, w, 0.1, 1)),
]


def run(h):
    for i, (src, inputs, fn) in enumerate(EDGE):
        case = "edge %s [%s]" % (src, " ".join("%s=%s" % (k, spec[1].tolist()) for k, spec in inputs.items()))
        if h.wanted(case):
            expr_case(h, "edge%d" % i, case, src, inputs, fn, 0)
    for i, (src, inputs, fn) in enumerate(CASES):
        for seed in (1, 2):
            case = "%s [%s] seed=%d" % (src, " ".join("%s=%s" % (k, v[0]) for k, v in inputs.items()), seed)
            if h.wanted(case):
                expr_case(h, "e%d_%d" % (i, seed), case, src, inputs, fn, seed)


def expr_case(h, tag, case, src, inputs, fn, seed):
    g = torch.Generator().manual_seed(1000 + seed)
    vals = {k: draw(spec, g) for k, spec in inputs.items()}
    ipath, opath, rpath = (h.path(tag + s) for s in (".in", ".out", ".ref"))
    stio.write(ipath, vals)
    args = {k: (v.clone().requires_grad_(True) if v.is_floating_point() else v) for k, v in vals.items()}
    value = fn(*args.values())
    (value if value.dim() == 0 else value.sum()).backward()
    ref = {"value": value.detach()}
    for k, v in args.items():
        if v.is_floating_point():
            ref["grad." + k] = v.grad if v.grad is not None else torch.zeros_like(v)
    rc, so, err = h.gradcheck("expr", src, "--input", ipath, "--dump", opath)
    if rc not in (0, 1) or not os.path.exists(opath):
        h.record("exprs", case, False, "exit %d: %s" % (rc, err.strip().splitlines()[0] if err.strip() else so[-300:]))
        return
    if rc == 1:
        h.note("%s: the numeric check fails (exit 1): %s" % (case, so.strip().splitlines()[-1][:200]))
    ours, _ = stio.read(opath)
    if compare(h, "exprs", case, ours, ref, RTOL64):
        stio.write(rpath, ref)
        rc2, so, err = h.gradcheck("expr", src, "--input", ipath, "--reference", rpath)
        h.record("exprs", case + " --reference", rc2 == rc, "exit %d (plain run: %d) %s" % (rc2, rc, err.strip()[:200]))
