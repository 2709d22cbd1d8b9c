"""CLI robustness: bad, corrupt and truncated files, missing, extra and
mis-typed tensors; exit codes (0 pass, 1 a check fails, 2 bad usage or
input) and messages naming the file and the tensor."""
import json
import struct

import torch

import stio
import zoo


def run(h):
    torch.manual_seed(42)
    m = zoo.make("mlp")
    x, y = zoo.batch("mlp", 3)
    sd = dict(m.state_dict())
    P = h.path
    stio.write(P("w.st"), sd)
    stio.write(P("b.st"), {"x": x, "y": y})
    raw = open(P("w.st"), "rb").read()
    open(P("trunc.st"), "wb").write(raw[: len(raw) // 2])
    open(P("badjson.st"), "wb").write(struct.pack("<Q", 10) + b'{"fc1.weig' + raw[18:])
    open(P("empty.st"), "wb").write(b"")
    stio.write(P("missing.st"), {k: v for k, v in sd.items() if k != "fc2.bias"})
    stio.write(P("extra.st"), dict(sd, **{"fc4.weight": torch.zeros(2, 2, dtype=torch.float64)}))
    stio.write(P("transposed.st"), dict(sd, **{"fc1.weight": sd["fc1.weight"].T.contiguous()}))
    stio.write(P("intweight.st"), dict(sd, **{"fc3.bias": torch.zeros(10, dtype=torch.int64)}))
    stio.write(P("w32.st"), {k: v.float() for k, v in sd.items()})
    stio.write(P("noy.st"), {"x": x})
    stio.write(P("y32.st"), {"x": x, "y": y.to(torch.int32)})
    stio.write(P("x32.st"), {"x": x.float(), "y": y})
    stio.write(P("yfloat.st"), {"x": x, "y": y.double()})
    stio.write(P("yrange.st"), {"x": x, "y": torch.tensor([0, 10, 3])})
    stio.write(P("yneg.st"), {"x": x, "y": torch.tensor([0, -1, 3])})
    stio.write(P("xshape.st"), {"x": x[:, :700].contiguous(), "y": y})
    stio.write(P("extrab.st"), {"x": x, "y": y, "z": torch.zeros(1, dtype=torch.float64)})
    stio.write(P("ref_missing.st"), {"grad.fc1.weight": torch.zeros(256, 784, dtype=torch.float64)})
    stio.write(P("e.st"), {"x": torch.randn(4, 3, dtype=torch.float64), "c": torch.tensor([0, 2, 1, 5])})
    stio.write(P("e2.st"), {"x": torch.randn(4, 3, dtype=torch.float64), "c": torch.tensor([0, 2, 1, 1]),
                            "unused": torch.zeros(2, dtype=torch.float64)})
    write_f16(P("f16.st"))
    mlp = ["model", "mlp"]
    cases = [
        ("weights missing file", mlp + ["--weights", P("nope.st"), "--batch", P("b.st")], 2, [P("nope.st")]),
        ("weights truncated", mlp + ["--weights", P("trunc.st"), "--batch", P("b.st")], 2, [P("trunc.st")]),
        ("weights bad JSON", mlp + ["--weights", P("badjson.st"), "--batch", P("b.st")], 2, [P("badjson.st")]),
        ("weights empty file", mlp + ["--weights", P("empty.st"), "--batch", P("b.st")], 2, [P("empty.st")]),
        ("weights missing tensor", mlp + ["--weights", P("missing.st"), "--batch", P("b.st")], 2, ["fc2.bias", P("missing.st")]),
        ("weights extra tensor", mlp + ["--weights", P("extra.st"), "--batch", P("b.st")], 2, ["fc4.weight", P("extra.st")]),
        ("weights transposed", mlp + ["--weights", P("transposed.st"), "--batch", P("b.st")], 2, ["fc1.weight", "784", P("transposed.st")]),
        ("weights int dtype", mlp + ["--weights", P("intweight.st"), "--batch", P("b.st")], 2, ["fc3.bias", P("intweight.st")]),
        ("weights float32 into a float64 run", mlp + ["--weights", P("w32.st"), "--batch", P("b.st")], 0, []),
        ("batch no y", mlp + ["--weights", P("w.st"), "--batch", P("noy.st")], 2, ['"y"', P("noy.st")]),
        ("batch int32 classes", mlp + ["--weights", P("w.st"), "--batch", P("y32.st")], 0, []),
        ("batch float32 x in a float64 run", mlp + ["--weights", P("w.st"), "--batch", P("x32.st")], 0, []),
        ("batch float class targets", mlp + ["--weights", P("w.st"), "--batch", P("yfloat.st")], 2, ["y", P("yfloat.st")]),
        ("batch class out of range", mlp + ["--weights", P("w.st"), "--batch", P("yrange.st")], 2, ["10", P("yrange.st")]),
        ("batch negative class", mlp + ["--weights", P("w.st"), "--batch", P("yneg.st")], 2, ["-1", P("yneg.st")]),
        ("batch x wrong shape", mlp + ["--weights", P("w.st"), "--batch", P("xshape.st")], 2, ["x", "700", P("xshape.st")]),
        # lenient by design: a batch or input file may hold more tensors than
        # one model or expression uses (one input file for many expressions)
        ("batch extra tensor", mlp + ["--weights", P("w.st"), "--batch", P("extrab.st")], 0, []),
        ("reference missing grad", mlp + ["--weights", P("w.st"), "--batch", P("b.st"), "--reference", P("ref_missing.st")],
         2, ["grad.fc1.bias", P("ref_missing.st")]),
        ("dump into a missing directory", mlp + ["--weights", P("w.st"), "--batch", P("b.st"), "--dump", P("no/dir/out.st")],
         2, [P("no/dir/out.st")]),
        ("expr class out of range", ["expr", "crossentropy(x, c)", "--input", P("e.st")], 2, ["5", P("e.st")]),
        ("expr input unused tensor", ["expr", "crossentropy(x, c)", "--input", P("e2.st")], 0, []),
        ("expr variable missing from input", ["expr", "x * q", "--input", P("e2.st")], 2, ["q"]),
        ("expr input float16", ["expr", "sum(h)", "--input", P("f16.st"), "--dump", P("f16.out")], 0, []),
        ("expr leading minus", ["expr", "-x^2", "--input", P("e2.st")], 0, []),
    ]
    for name, args, want_rc, needles in cases:
        if not h.wanted("robust " + name):
            continue
        rc, so, err = h.gradcheck(*args)
        first = err.strip().splitlines()[0] if err.strip() else ""
        missing = [n for n in needles if n not in err]
        ok = rc == want_rc and not missing
        detail = "exit %d (want %d)%s: %s" % (rc, want_rc, "; message lacks %s" % missing if missing else "",
                                               first[:300] or so.strip()[-200:])
        h.record("robust", name, ok, detail)


def write_f16(path):
    """A float16 tensor h (PyTorch's half) written by hand."""
    t = torch.tensor([1.5, -2.0, 0.25], dtype=torch.float16)
    data = struct.pack("<3h", *t.view(torch.int16).tolist())
    hdr = json.dumps({"h": {"dtype": "F16", "shape": [3], "data_offsets": [0, 6]}}).encode()
    hdr += b" " * (-len(hdr) % 8)
    open(path, "wb").write(struct.pack("<Q", len(hdr)) + hdr + data)
