"""Zoo models (gradcheck model --weights --batch --dump/--reference) and
checkpoints (models.SaveCheckpoint/LoadCheckpoint) against PyTorch."""
import os

import torch

import stio
import zoo
from crosscheck import RTOL32, RTOL64, compare

BATCHES = (1, 2, 7)
FLOAT32_MODELS = ("simplenet", "lenet", "mlpbn", "transformer")


def reference(name, m, x, y):
    """PyTorch's loss, output and grad.<param> for one training-mode pass."""
    m.zero_grad()
    out = m(x)
    loss = zoo.loss_of(name, out, y)
    loss.backward()
    ref = {"loss": loss.detach(), "output": out.detach()}
    for pn, p in m.named_parameters():
        ref["grad." + pn] = p.grad.detach().clone()
    return ref


def run_models(h):
    for mi, name in enumerate(zoo.MODELS):
        for b in BATCHES:
            case = "%s B=%d" % (name, b)
            if h.wanted(case):
                model_case(h, name, b, seed=1000 * mi + b)
        if name in FLOAT32_MODELS:
            for b in (2, 7):
                case = "%s B=%d float32" % (name, b)
                if h.wanted(case):
                    model_case32(h, name, b, seed=5000 + 1000 * mi + b)


def write_case(h, tag, m, x, y):
    w, bt = h.path(tag + ".weights.safetensors"), h.path(tag + ".batch.safetensors")
    stio.write(w, m.state_dict())
    stio.write(bt, {"x": x, "y": y})
    return w, bt


def model_case(h, name, b, seed):
    torch.manual_seed(seed)
    m = zoo.make(name)
    x, y = zoo.batch(name, b)
    tag = "%s_%d" % (name, b)
    w, bt = write_case(h, tag, m, x, y)
    out = h.path(tag + ".dump.safetensors")
    try:
        ref = reference(name, m, x, y)
    except (RuntimeError, ValueError) as e:  # PyTorch refuses the case
        rc, _, err = h.gradcheck("model", name, "--weights", w, "--batch", bt, "--dump", out)
        h.record("models", "%s B=%d" % (name, b), rc == 2,
                 "PyTorch refuses (%s); gradcheck exit %d %s" % (str(e).splitlines()[0], rc, err.strip()[:200]))
        return
    rc, so, err = h.gradcheck("model", name, "--weights", w, "--batch", bt, "--dump", out)
    if rc not in (0, 1) or not os.path.exists(out):
        h.record("models", "%s B=%d dump" % (name, b), False, "exit %d: %s" % (rc, err.strip()[:300]))
        return
    if rc != 0:
        h.note("%s B=%d: the numeric gradient check itself failed (exit 1)" % (name, b))
    ours, _ = stio.read(out)
    compare(h, "models", "%s B=%d dump" % (name, b), ours, ref, RTOL64)
    rpath = h.path(tag + ".ref.safetensors")
    stio.write(rpath, ref)
    rc, so, err = h.gradcheck("model", name, "--weights", w, "--batch", bt, "--reference", rpath)
    h.record("models", "%s B=%d --reference exit 0" % (name, b), rc == 0, "exit %d %s" % (rc, err.strip()[:200]))
    bad = dict(ref)
    pn = "grad." + next(iter(dict(m.named_parameters())))
    bad[pn] = bad[pn].clone()
    bad[pn].view(-1)[0] += 1e-3 * (1 + bad[pn].abs().max())
    stio.write(rpath, bad)
    rc, so, err = h.gradcheck("model", name, "--weights", w, "--batch", bt, "--reference", rpath)
    h.record("models", "%s B=%d perturbed reference exit 1" % (name, b), rc == 1, "exit %d %s" % (rc, err.strip()[:200]))


def model_case32(h, name, b, seed):
    """float32 weights and batch: a float64 run matches PyTorch float64 on the
    same (widened) values; a --dtype float32 run matches PyTorch float32."""
    torch.manual_seed(seed)
    m32 = zoo.make(name, torch.float32)
    x, y = zoo.batch(name, b, torch.float32)
    tag = "%s_%d_f32" % (name, b)
    w, bt = write_case(h, tag, m32, x, y)
    m64 = zoo.make(name)
    m64.load_state_dict({k: (v.double() if v.is_floating_point() else v) for k, v in m32.state_dict().items()})
    y64 = y.double() if y.is_floating_point() else y
    ref64 = reference(name, m64, x.double(), y64)
    ref32 = reference(name, m32, x, y)
    for dtype, ref, rtol in (("float64", ref64, RTOL64), ("float32", ref32, RTOL32)):
        out = h.path("%s.%s.dump.safetensors" % (tag, dtype))
        rc, _, err = h.gradcheck("model", name, "--weights", w, "--batch", bt, "--dump", out, "--dtype", dtype)
        case = "%s B=%d float32 files, --dtype %s" % (name, b, dtype)
        if rc not in (0, 1) or not os.path.exists(out):
            h.record("models", case, False, "exit %d: %s" % (rc, err.strip()[:300]))
            continue
        ours, _ = stio.read(out)
        compare(h, "models", case, ours, ref, rtol)


def run_checkpoints(h):
    for mi, name in enumerate(zoo.MODELS):
        for dtype in ("float64", "float32") if name in FLOAT32_MODELS else ("float64",):
            case = "%s %s" % (name, dtype)
            if h.wanted(case):
                go_to_torch(h, name, 700 + mi, dtype)
                torch_to_go(h, name, 800 + mi, dtype)
    if h.wanted("batchnorm running stats"):
        for seed, nb in ((1, 3), (2, 5)):
            bn_running_stats(h, seed, nb)


def tdtype(dtype):
    return torch.float32 if dtype == "float32" else torch.float64


def go_to_torch(h, name, seed, dtype):
    torch.manual_seed(seed)
    x, _ = zoo.batch(name, 3, tdtype(dtype))
    tag = "g2t_%s_%s" % (name, dtype)
    ckpt, bt, out = h.path(tag + ".ckpt"), h.path(tag + ".batch"), h.path(tag + ".out")
    stio.write(bt, {"x": x})
    case = "Go->PyTorch %s %s" % (name, dtype)
    try:
        h.go("save", name, seed, dtype, ckpt, bt, out)
    except RuntimeError as e:
        h.record("checkpoints", case, False, str(e)[:300])
        return
    sd, meta = stio.read(ckpt)
    m = zoo.make(name, tdtype(dtype))
    want = m.state_dict()
    bad = ["%s: dtype %s shape %s, PyTorch %s %s" % (k, sd[k].dtype, list(sd[k].shape), v.dtype, list(v.shape))
           for k, v in want.items() if k in sd and (sd[k].dtype != v.dtype or sd[k].shape != v.shape)]
    if meta.get("format") != "pt":
        bad.append("metadata format %r, want 'pt'" % meta.get("format"))
    try:
        m.load_state_dict(sd, strict=True)
    except RuntimeError as e:
        bad.append("load_state_dict: %s" % str(e).replace("\n", " ")[:300])
    if bad:
        h.record("checkpoints", case, False, "; ".join(bad))
        return
    m.eval()
    with torch.no_grad():
        ref = {"output": m(x)}
    ours, _ = stio.read(out)
    compare(h, "checkpoints", case, ours, ref, RTOL64 if dtype == "float64" else RTOL32)


def randomize_running_stats(m, seed):
    """Moves every BatchNorm's running statistics away from 0 and 1."""
    g = torch.Generator().manual_seed(seed)
    for mod in m.modules():
        if isinstance(mod, torch.nn.BatchNorm1d):
            mod.running_mean.copy_(torch.randn(mod.running_mean.shape, generator=g))
            mod.running_var.copy_(torch.rand(mod.running_var.shape, generator=g) + 0.5)
            mod.num_batches_tracked.fill_(17)
            mod.weight.data.copy_(torch.randn(mod.weight.shape, generator=g))
            mod.bias.data.copy_(torch.randn(mod.bias.shape, generator=g))


def torch_to_go(h, name, seed, dtype):
    torch.manual_seed(seed)
    m = zoo.make(name, tdtype(dtype))
    randomize_running_stats(m, seed)
    x, _ = zoo.batch(name, 3, tdtype(dtype))
    tag = "t2g_%s_%s" % (name, dtype)
    ckpt, bt, out = h.path(tag + ".ckpt"), h.path(tag + ".batch"), h.path(tag + ".out")
    stio.write(ckpt, m.state_dict(), {"format": "pt"})
    stio.write(bt, {"x": x})
    case = "PyTorch->Go %s %s" % (name, dtype)
    try:
        h.go("load", name, ckpt, bt, out)
    except RuntimeError as e:
        h.record("checkpoints", case, False, str(e)[:300])
        return
    m.eval()
    with torch.no_grad():
        ref = {"output": m(x)}
    ours, _ = stio.read(out)
    compare(h, "checkpoints", case, ours, ref, RTOL64 if dtype == "float64" else RTOL32)


def bn_running_stats(h, seed, nbatches):
    """mlpbn after nbatches training-mode passes: running_mean, running_var
    (unbiased), num_batches_tracked and the untouched parameters agree."""
    torch.manual_seed(seed)
    m = zoo.make("mlpbn")
    randomize_running_stats(m, seed)
    tag = "bn_%d" % seed
    ckpt, after = h.path(tag + ".ckpt"), h.path(tag + ".after")
    stio.write(ckpt, m.state_dict())
    paths = []
    for i in range(nbatches):
        x, y = zoo.batch("mlpbn", 6)
        p = h.path("%s.b%d" % (tag, i))
        stio.write(p, {"x": x, "y": y})
        paths.append(p)
        zoo.loss_of("mlpbn", m(x), y).backward()
    case = "batchnorm running stats seed=%d after %d batches" % (seed, nbatches)
    try:
        h.go("train", "mlpbn", ckpt, after, *paths)
    except RuntimeError as e:
        h.record("checkpoints", case, False, str(e)[:300])
        return
    ours, _ = stio.read(after)
    compare(h, "checkpoints", case, ours, dict(m.state_dict()), RTOL64)
