"""Safetensors reading and writing by hand (8-byte little-endian header
length, JSON header, raw little-endian data), so the harness needs only
torch. Used by crosscheck.py."""
import json
import struct

import torch

# safetensors dtype name -> (torch dtype, struct code, byte size)
DTYPES = {
    "F64": (torch.float64, "d", 8), "F32": (torch.float32, "f", 4),
    "I64": (torch.int64, "q", 8), "I32": (torch.int32, "i", 4),
    "I16": (torch.int16, "h", 2), "I8": (torch.int8, "b", 1),
    "U8": (torch.uint8, "B", 1), "BOOL": (torch.bool, "?", 1),
}
BY_TORCH = {v[0]: k for k, v in DTYPES.items()}


def encode(tensors, metadata=None, align=8):
    """Returns the bytes of a safetensors file holding tensors (name ->
    torch tensor), in sorted name order."""
    header, blobs, off = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        code = BY_TORCH[t.dtype]
        fmt = DTYPES[code][1]
        data = struct.pack("<%d%s" % (t.numel(), fmt), *t.flatten().tolist())
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % align)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


def write(path, tensors, metadata=None):
    with open(path, "wb") as f:
        f.write(encode(tensors, metadata))


def read(path):
    """Returns (tensors by name, metadata) of a safetensors file."""
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    body = raw[8 + n:]
    meta = header.pop("__metadata__", {}) or {}
    out = {}
    for name, e in header.items():
        dt, fmt, size = DTYPES[e["dtype"]]
        b, end = e["data_offsets"]
        count = (end - b) // size
        vals = struct.unpack("<%d%s" % (count, fmt), body[b:end])
        out[name] = torch.tensor(vals, dtype=dt).reshape(e["shape"])
    return out, meta
