#!/usr/bin/python3
"""Writes PyTorch weights, a batch and reference gradients for a zoo model.

    /usr/bin/python3 torch_reference.py MODEL OUTDIR [BATCH] [SEED]

writes OUTDIR/MODEL.weights.safetensors (the state_dict), MODEL.batch.safetensors
(x, y) and MODEL.reference.safetensors (loss, output, grad.<name>), all float64,
for `gradcheck model MODEL --weights ... --batch ... --reference ...`. The
safetensors files are written by hand (the format is a JSON header and raw
little-endian data), so only torch is needed.
"""
import json, struct, sys
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

class SimpleNet(nn.Module):
    def __init__(s, i=100, h=50, o=1):
        super().__init__(); s.fc1 = nn.Linear(i, h); s.fc2 = nn.Linear(h, o)
    def forward(s, x): return s.fc2(F.relu(s.fc1(x)))

class MLP(nn.Module):
    def __init__(s):
        super().__init__(); s.fc1 = nn.Linear(784, 256); s.fc2 = nn.Linear(256, 128); s.fc3 = nn.Linear(128, 10)
    def forward(s, x): return s.fc3(F.relu(s.fc2(F.relu(s.fc1(x)))))

class MLPBN(nn.Module):
    def __init__(s):
        super().__init__(); s.fc1 = nn.Linear(100, 64); s.bn1 = nn.BatchNorm1d(64); s.fc2 = nn.Linear(64, 1)
    def forward(s, x): return s.fc2(F.relu(s.bn1(s.fc1(x))))

class LeNet(nn.Module):
    def __init__(s):
        super().__init__()
        s.conv1 = nn.Conv2d(1, 6, 5); s.conv2 = nn.Conv2d(6, 16, 5)
        s.fc1 = nn.Linear(256, 120); s.fc2 = nn.Linear(120, 84); s.fc3 = nn.Linear(84, 10)
    def forward(s, x):
        x = F.max_pool2d(F.relu(s.conv1(x)), 2); x = F.max_pool2d(F.relu(s.conv2(x)), 2)
        x = x.flatten(1)
        return s.fc3(F.relu(s.fc2(F.relu(s.fc1(x)))))

class LSTMNet(nn.Module):
    def __init__(s, bi):
        super().__init__(); s.bi = bi
        s.lstm = nn.LSTM(32, 64, batch_first=True, bidirectional=bi)
        s.fc = nn.Linear(128 if bi else 64, 5 if bi else 1)
    def forward(s, x):
        out, (h, c) = s.lstm(x)
        if s.bi:
            return s.fc(torch.cat([h[0], h[1]], dim=1))
        return s.fc(out[:, -1, :])

MODELS = {
    "simplenet": (lambda: SimpleNet(), (100,), "mse", None),
    "binary": (lambda: SimpleNet(30, 16, 1), (30,), "bce", None),
    "mlp": (MLP, (784,), "ce", 10),
    "mlpbn": (MLPBN, (100,), "mse", None),
    "lenet": (LeNet, (1, 28, 28), "ce", 10),
    "lstm": (lambda: LSTMNet(False), (20, 32), "mse", None),
    "bilstm": (lambda: LSTMNet(True), (20, 32), "ce", 5),
}

def write(path, tensors):
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        dt = {torch.float64: ("F64", "d"), torch.int64: ("I64", "q")}[t.dtype]
        data = struct.pack("<%d%s" % (t.numel(), dt[1]), *t.flatten().tolist())
        header[name] = {"dtype": dt[0], "shape": list(t.shape), "data_offsets": [off, off + len(data)]}
        blobs.append(data); off += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h))); f.write(h); f.write(b"".join(blobs))

def main():
    name, out = sys.argv[1], sys.argv[2]
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    torch.manual_seed(int(sys.argv[4]) if len(sys.argv) > 4 else 0)
    make, xshape, loss, classes = MODELS[name]
    m = make(); m.train()
    x = torch.randn(batch, *xshape)
    if loss == "ce":
        y = torch.randint(0, classes, (batch,))
    elif loss == "bce":
        y = torch.randint(0, 2, (batch, 1)).double()
    else:
        y = torch.randn(batch, 1)
    write("%s/%s.weights.safetensors" % (out, name), m.state_dict())
    write("%s/%s.batch.safetensors" % (out, name), {"x": x, "y": y})
    o = m(x)
    l = {"mse": F.mse_loss, "bce": F.binary_cross_entropy_with_logits, "ce": F.cross_entropy}[loss](o, y)
    l.backward()
    ref = {"loss": l.detach(), "output": o.detach()}
    for pn, p in m.named_parameters():
        ref["grad." + pn] = p.grad
    write("%s/%s.reference.safetensors" % (out, name), ref)

main()
