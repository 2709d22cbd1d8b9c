#!/usr/bin/env python3
"""PyTorch side of bench/compare.sh: one training step (zero_grad, forward,
loss, backward, optimizer step) of each symgrad zoo model, with the batch
sizes and optimizers of models/bench_test.go (BenchmarkTrainStep).

Prints one line per model and dtype: "<model> <dtype> <median ms> <p10 ms>
<p90 ms> <steps>". Run it with OMP_WAIT_POLICY=PASSIVE (compare.sh does):
Debian's torch has libgomp and OpenBLAS threads competing otherwise.
"""
import argparse
import os
import statistics
import sys
import time

import torch

# The zoo's PyTorch twins live in one place, scripts/crosscheck/zoo.py.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts", "crosscheck"))
import zoo  # noqa: E402

BATCH = {"simplenet": 64, "binary": 64, "mlp": 128, "mlpbn": 64, "lenet": 32, "lstm": 32, "bilstm": 32,
         "transformer": 32, "gru": 32, "textcnn": 32}

# The optimizers of models/bench_test.go: Adam (lr 1e-3), SGD with momentum
# 0.9 for lenet, plain SGD (lr 0.01) otherwise.
ADAM = {"mlp", "lstm", "bilstm", "transformer", "gru", "textcnn"}


def build(name, dtype):
    """Returns (model, x, y, loss_fn, optimizer) as in models/bench_test.go."""
    m = zoo.make(name, dtype)
    x, y = zoo.batch(name, BATCH[name], dtype)
    loss = lambda out, t: zoo.loss_of(name, out, t)
    if name in ADAM:
        opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    elif name == "lenet":
        opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
    else:
        opt = torch.optim.SGD(m.parameters(), lr=0.01)
    return m, x, y, loss, opt


def bench(name, dtype, seconds, min_steps):
    torch.manual_seed(1)
    m, x, y, loss_fn, opt = build(name, dtype)
    m.train()

    def step():
        opt.zero_grad()
        loss = loss_fn(m(x), y)
        loss.backward()
        opt.step()

    for _ in range(10):
        step()
    times = []
    start = time.perf_counter()
    while len(times) < min_steps or time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    times.sort()
    q = lambda f: times[int(f * (len(times) - 1))] * 1e3
    return statistics.median(times) * 1e3, q(0.1), q(0.9), len(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=",".join(BATCH), help="comma-separated zoo names")
    ap.add_argument("--dtypes", default="f64,f32", help="f64, f32 or both")
    ap.add_argument("--seconds", type=float, default=2.0, help="time per model and dtype")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    for name in args.models.split(","):
        for dt in args.dtypes.split(","):
            dtype = torch.float64 if dt == "f64" else torch.float32
            med, p10, p90, n = bench(name, dtype, args.seconds, 20)
            print(f"{name} {dt} {med:.4f} {p10:.4f} {p90:.4f} {n}", flush=True)


if __name__ == "__main__":
    main()
