"""Regenerates the golden files of package data from scikit-learn and numpy.

Run from data/testdata: /usr/bin/python3 golden/generate.py
(written against Debian bookworm's python3-sklearn 1.2.1 and numpy 1.24).
The IDX files are written byte by byte with struct, independently of the Go code.
"""
import gzip
import json
import struct

import numpy as np
from sklearn import datasets
from sklearn.preprocessing import StandardScaler


def dump(name, obj):
    with open("golden/" + name, "w") as f:
        json.dump(obj, f)
        f.write("\n")


# Noise-free, unshuffled generator geometry.
gen = {}
for n in (1, 2, 7, 10):
    X, y = datasets.make_moons(n_samples=n, shuffle=False, noise=None)
    gen["moons_%d" % n] = {"x": X.ravel().tolist(), "y": y.tolist()}
for n, factor in ((7, 0.5), (10, 0.8)):
    X, y = datasets.make_circles(n_samples=n, shuffle=False, noise=None, factor=factor)
    gen["circles_%d_%g" % (n, factor)] = {"x": X.ravel().tolist(), "y": y.tolist(), "factor": factor}
# make_friedman1's formula on fixed inputs.
pts = np.array([[0.1, 0.2, 0.3, 0.4, 0.5], [0.9, 0.8, 0.7, 0.6, 0.5], [0.0, 1.0, 0.5, 0.25, 0.75]])
fr = 10 * np.sin(np.pi * pts[:, 0] * pts[:, 1]) + 20 * (pts[:, 2] - 0.5) ** 2 + 10 * pts[:, 3] + 5 * pts[:, 4]
gen["friedman1"] = {"x": pts.ravel().tolist(), "y": fr.tolist()}
dump("generators.json", gen)

# StandardScaler: population std, constant column scale 1.
X = np.array([[1.0, 2.0, 5.0], [3.0, 2.0, -1.0], [4.0, 2.0, 0.5], [10.0, 2.0, 7.25]])
T = np.array([[0.0, 1.0, 2.0], [5.0, 2.0, -3.0]])
s = StandardScaler().fit(X)
dump("standardizer.json", {"fit": X.ravel().tolist(), "shape": list(X.shape), "mean": s.mean_.tolist(),
                           "scale": s.scale_.tolist(), "apply": T.ravel().tolist(),
                           "transformed": s.transform(T).ravel().tolist()})
# Pooled statistics: per channel of [N,C,H,W] and per last axis of [N,T,F].
img = np.arange(2 * 3 * 2 * 2, dtype=float).reshape(2, 3, 2, 2) ** 1.5
seq = np.sin(np.arange(2 * 3 * 4, dtype=float)).reshape(2, 3, 4)
dump("standardizer_pooled.json", {
    "image": img.ravel().tolist(), "image_shape": list(img.shape),
    "image_mean": img.mean(axis=(0, 2, 3)).tolist(), "image_scale": img.std(axis=(0, 2, 3)).tolist(),
    "seq": seq.ravel().tolist(), "seq_shape": list(seq.shape),
    "seq_mean": seq.mean(axis=(0, 1)).tolist(), "seq_scale": seq.std(axis=(0, 1)).tolist()})

# The bundled datasets as scikit-learn loads them.
ref = {}
for fname, loader in (("iris.csv", datasets.load_iris), ("wine_data.csv", datasets.load_wine),
                      ("breast_cancer.csv", datasets.load_breast_cancer), ("digits.csv.gz", datasets.load_digits)):
    b = loader()
    ref[fname] = {"shape": list(b.data.shape), "column_sums": b.data.sum(axis=0).tolist(),
                  "first_row": b.data[0].tolist(), "class_counts": np.bincount(b.target).tolist(),
                  "class_names": [str(c) for c in b.target_names]}
dump("sklearn.json", ref)

# IDX files, one per element type, shape [2,3] (labels: [4]).
codes = {0x08: "B", 0x09: "b", 0x0B: "h", 0x0C: "i", 0x0D: "f", 0x0E: "d"}
vals = {0x08: [0, 1, 127, 128, 200, 255], 0x09: [-128, -1, 0, 1, 5, 127],
        0x0B: [-32768, -2, 0, 3, 1000, 32767], 0x0C: [-2147483648, -7, 0, 9, 123456, 2147483647],
        0x0D: [-1.5, 0.0, 0.25, 3.0, 1e-3, 65504.0], 0x0E: [-2.5, 0.0, 1e-300, 3.0, 1e300, 0.1]}
idx = {}
for code, fmt in codes.items():
    body = struct.pack(">BBBB", 0, 0, code, 2) + struct.pack(">II", 2, 3) + struct.pack(">6" + fmt, *vals[code])
    name = "type%02x.idx" % code
    open("idx/" + name, "wb").write(body)
    with gzip.GzipFile("idx/" + name + ".gz", "wb", mtime=0) as f:
        f.write(body)
    idx[name] = {"code": code, "shape": [2, 3],
                 "values": [float(np.float32(v)) if code == 0x0D else float(v) for v in vals[code]]}
dump("idx.json", idx)
# A tiny MNIST: 3 images 2x2 and their labels.
imgs = bytes([0, 255, 51, 102, 10, 20, 30, 40, 255, 0, 0, 255])
open("idx/mnist-images-idx3-ubyte", "wb").write(struct.pack(">IIII", 0x803, 3, 2, 2) + imgs)
with gzip.GzipFile("idx/mnist-labels-idx1-ubyte.gz", "wb", mtime=0) as f:
    f.write(struct.pack(">II", 0x801, 3) + bytes([7, 0, 9]))
