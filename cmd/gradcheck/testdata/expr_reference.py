#!/usr/bin/python3
"""PyTorch reference for `gradcheck expr "crossentropy(x * s, t)" --input ... --reference ...`:
an integer input (class indices), a 0-d scalar variable, and value.backward()."""
import torch, json, struct
import torch.nn.functional as F
torch.manual_seed(0)
x = torch.randn(4,3, dtype=torch.float64, requires_grad=True)
t = torch.tensor([0,2,1,2])
s = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
v = F.cross_entropy(x * s, t)
v.backward()
def write(path, tensors):
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        tt = tensors[name].detach().contiguous()
        dt = {torch.float64: ("F64", "d"), torch.int64: ("I64", "q")}[tt.dtype]
        data = struct.pack("<%d%s" % (tt.numel(), dt[1]), *tt.flatten().tolist())
        header[name] = {"dtype": dt[0], "shape": list(tt.shape), "data_offsets": [off, off + len(data)]}
        blobs.append(data); off += len(data)
    h = json.dumps(header, separators=(",", ":")).encode(); h += b" " * (-len(h) % 8)
    open(path, "wb").write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
write("testdata/crossentropy.input.safetensors", {"x": x, "t": t, "s": s})
write("testdata/crossentropy.reference.safetensors", {"value": v, "grad.x": x.grad, "grad.s": s.grad})
