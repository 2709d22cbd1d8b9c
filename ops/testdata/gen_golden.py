"""Writes golden_ops.json: PyTorch 1.13 values and gradients for
the ops in ops/arith.go (arithmetic, Clamp, Maximum, Minimum, Where), reduce.go (ArgMax) and loss.go (cross-entropy), read by
TestGoldenAgainstPyTorch. Run once with Debian's torch:

    /usr/bin/python3 ops/testdata/gen_golden.py

Each case: the registry op name, its numeric params, its inputs (name,
kind: "param" differentiated, "input" not, "int" int64 class indices), the
upstream gradient `up` of the op's output, and PyTorch's output and
gradients of (out * up).sum()."""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(1913)
D = torch.float64


def t(*vals, shape=None):
    x = torch.tensor(vals, dtype=D)
    return x.reshape(shape) if shape else x


def rn(*shape):
    return torch.randn(shape, dtype=D)


CASES = []


def case(name, op, inputs, fn, params=(), kinds=None):
    kinds = kinds or {}
    leaves = {}
    for k, v in inputs.items():
        kind = kinds.get(k, "param")
        v = v.clone()
        if kind == "param":
            v.requires_grad_(True)
        leaves[k] = v
    out = fn(**leaves)
    rec = {"name": name, "op": op, "params": list(params), "inputs": [], "out_dtype": str(out.dtype).replace("torch.", "")}
    for k, v in leaves.items():
        rec["inputs"].append({"name": k, "kind": kinds.get(k, "param"), "shape": list(v.shape),
                              "data": [float(e) for e in v.detach().flatten().tolist()]})
    rec["out"] = {"shape": list(out.shape), "data": [float(e) for e in out.detach().flatten().tolist()]}
    if out.dtype.is_floating_point:
        up = torch.randn(out.shape, dtype=D) if out.dim() > 0 else torch.tensor(1.0, dtype=D)
        (out * up).sum().backward()
        rec["up"] = [float(e) for e in up.flatten().tolist()]
        rec["grads"] = {k: [float(e) for e in v.grad.flatten().tolist()]
                        for k, v in leaves.items() if v.requires_grad and v.grad is not None}
    CASES.append(rec)


# arithmetic with broadcasting
case("add broadcast row", "add", {"a": rn(3, 4), "b": rn(4)}, lambda a, b: a + b)
case("sub outer", "sub", {"a": rn(3, 1), "b": rn(1, 4)}, lambda a, b: a - b)
case("mul rank 3 with 2", "mul", {"a": rn(2, 3, 4), "b": rn(3, 1)}, lambda a, b: a * b)
case("div by row", "div", {"a": rn(3, 4), "b": torch.rand(4, dtype=D) + 0.5}, lambda a, b: a / b)
case("mul by 0-d", "mul", {"a": rn(2, 3), "b": torch.randn((), dtype=D)}, lambda a, b: a * b)
case("matmul mm", "matmul", {"a": rn(3, 4), "b": rn(4, 2)}, lambda a, b: torch.matmul(a, b))
case("matmul mv", "matmul", {"a": rn(3, 4), "b": rn(4)}, lambda a, b: torch.matmul(a, b))
case("matmul vm", "matmul", {"a": rn(4), "b": rn(4, 2)}, lambda a, b: torch.matmul(a, b))
case("matmul dot", "matmul", {"a": rn(4), "b": rn(4)}, lambda a, b: torch.matmul(a, b))
for sa, sb in (((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)), ((4,), (2, 4, 5)), ((2, 3, 4), (4,)),
               ((2, 1, 3, 4), (3, 4, 2)), ((2, 3, 4), (2, 4, 2)), ((1, 3, 4), (2, 4, 2))):
    case("matmul %s @ %s" % (sa, sb), "matmul", {"a": rn(*sa), "b": rn(*sb)}, lambda a, b: torch.matmul(a, b))

case("pow broadcast", "pow", {"a": torch.rand(3, 4, dtype=D) + 0.5, "b": rn(3, 1)}, lambda a, b: a ** b)

# clamp: values on the bounds get the gradient (PyTorch's rule)
xc = t(-2.0, -1.0, -0.5, 0.0, 0.75, 1.0, 1.5, 3.0, shape=(2, 4))
case("clamp both", "clamp", {"x": xc}, lambda x: torch.clamp(x, -1, 1), params=(-1, 1))
case("clamp min only", "clamp", {"x": xc}, lambda x: torch.clamp(x, min=0.0), params=(0,))
case("clamp min > max", "clamp", {"x": xc}, lambda x: torch.clamp(x, 1, -1), params=(1, -1))

# maximum / minimum with ties (each side gets g/2) and broadcasting
a = t(1.0, 2.0, 3.0, -1.0, 0.5, 0.5, shape=(2, 3))
b = t(1.0, 2.5, -3.0)
case("maximum ties broadcast", "maximum", {"a": a, "b": b}, lambda a, b: torch.maximum(a, b))
case("minimum ties broadcast", "minimum", {"a": a, "b": b}, lambda a, b: torch.minimum(a, b))
case("maximum outer", "maximum", {"a": rn(3, 1), "b": rn(1, 4)}, lambda a, b: torch.maximum(a, b))

# where with a 0/1 mask (and a signed mask: > 0 is true)
m = t(1, 0, 1, 0, 0, 1, shape=(2, 3))
case("where mask", "where", {"c": m, "a": rn(2, 3), "b": rn(3)},
     lambda c, a, b: torch.where(c > 0, a, b), kinds={"c": "input"})
s = t(0.3, -0.2, 0.0, 2.0, shape=(4, 1))
case("where signed broadcast", "where", {"c": s, "a": rn(1, 3), "b": rn(4, 3)},
     lambda c, a, b: torch.where(c > 0, a, b), kinds={"c": "input"})

# argmax / argmin: first index wins ties
xa = t(1.0, 3.0, 3.0, 0.0, 2.0, 2.0, -1.0, 5.0, 0.0, 0.0, 0.0, -4.0, shape=(3, 4))
case("argmax axis 1", "argmax", {"x": xa}, lambda x: torch.argmax(x, 1), params=(1,), kinds={"x": "input"})
case("argmax axis 0", "argmax", {"x": xa}, lambda x: torch.argmax(x, 0), params=(0,), kinds={"x": "input"})
case("argmin axis -1", "argmin", {"x": xa}, lambda x: torch.argmin(x, -1), params=(-1,), kinds={"x": "input"})
case("argmax flat", "argmax", {"x": xa}, lambda x: torch.argmax(x), kinds={"x": "input"})

# cross-entropy with PyTorch's options
x = rn(6, 5) * 2
y = torch.tensor([0, 2, 4, 2, 1, 3])
w = t(0.5, 1.0, 2.0, 0.25, 1.5)
red = {0: "mean", 1: "sum", 2: "none"}
for ls in (0.0, 0.2):
    for ign in (-100, 2):
        for r in (0, 1, 2):
            case(f"ce ls={ls} ignore={ign} red={red[r]}", "crossentropy", {"x": x, "c": y},
                 lambda x, c, ls=ls, ign=ign, r=r: F.cross_entropy(x, c, ignore_index=ign, reduction=red[r], label_smoothing=ls),
                 params=(ls, ign, r), kinds={"c": "int"})
            case(f"ce weighted ls={ls} ignore={ign} red={red[r]}", "crossentropy", {"x": x, "c": y, "w": w},
                 lambda x, c, w, ls=ls, ign=ign, r=r: F.cross_entropy(x, c, weight=w, ignore_index=ign, reduction=red[r], label_smoothing=ls),
                 params=(ls, ign, r), kinds={"c": "int", "w": "input"})
y_pad = torch.tensor([0, -100, 4, -100, 1, 3])
case("ce default ignores -100", "crossentropy", {"x": x, "c": y_pad, "w": w},
     lambda x, c, w: F.cross_entropy(x, c, weight=w), params=(0,), kinds={"c": "int", "w": "input"})

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden_ops.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": CASES}, f, indent=1)
    f.write("\n")
print(f"wrote {len(CASES)} cases to {out}")
