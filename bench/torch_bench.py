#!/usr/bin/env python3
"""PyTorch side of bench/compare.sh: one training step (zero_grad, forward,
loss, backward, optimizer step) of each symgrad zoo model, with the batch
sizes and optimizers of models/bench_test.go (BenchmarkTrainStep).

Prints one line per model and dtype: "<model> <dtype> <median ms> <p10 ms>
<p90 ms> <steps>". Run it with OMP_WAIT_POLICY=PASSIVE (compare.sh does):
Debian's torch has libgomp and OpenBLAS threads competing otherwise.
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

BATCH = {"simplenet": 64, "binary": 64, "mlp": 128, "mlpbn": 64, "lenet": 32, "lstm": 32, "bilstm": 32,
         "transformer": 32, "gru": 32, "textcnn": 32}


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 6, 5), nn.Conv2d(6, 16, 5)
        self.fc1, self.fc2, self.fc3 = nn.Linear(256, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class LSTMNet(nn.Module):
    def __init__(self, bidirectional, out):
        super().__init__()
        self.lstm = nn.LSTM(32, 64, batch_first=True, bidirectional=bidirectional)
        self.fc = nn.Linear(128 if bidirectional else 64, out)
        self.bi = bidirectional

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        h = torch.cat([h[0], h[1]], dim=1) if self.bi else h[0]
        return self.fc(h)


class TransformerNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.TransformerEncoderLayer(d_model=32, nhead=4, dim_feedforward=64, dropout=0.0, batch_first=True)
        self.fc = nn.Linear(32, 5)

    def forward(self, x):
        return self.fc(self.enc(x).mean(dim=1))


class GRUNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(32, 64, batch_first=True)
        self.fc = nn.Linear(64, 1)

    def forward(self, x):
        _, h = self.gru(x)
        return self.fc(h[0])


class TextCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(1000, 32)
        self.conv = nn.Conv1d(32, 64, 3, padding=1)
        self.fc = nn.Linear(64, 4)

    def forward(self, x):
        h = F.relu(self.conv(self.emb(x).transpose(1, 2)))
        return self.fc(h.amax(dim=2))


def build(name, dtype):
    """Returns (model, x, y, loss_fn, optimizer) as in models/bench_test.go."""
    b = BATCH[name]
    cls = lambda c: torch.randint(0, c, (b,))
    if name == "simplenet":
        m, x, y, loss = nn.Sequential(nn.Linear(100, 50), nn.ReLU(), nn.Linear(50, 1)), torch.rand(b, 100), torch.rand(b, 1), nn.MSELoss()
    elif name == "binary":
        m, x, y, loss = nn.Sequential(nn.Linear(30, 16), nn.ReLU(), nn.Linear(16, 1)), torch.rand(b, 30), torch.randint(0, 2, (b, 1)).float(), nn.BCEWithLogitsLoss()
    elif name == "mlp":
        m = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
        x, y, loss = torch.rand(b, 784), cls(10), nn.CrossEntropyLoss()
    elif name == "mlpbn":
        m = nn.Sequential(nn.Linear(100, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Linear(64, 1))
        x, y, loss = torch.rand(b, 100), torch.rand(b, 1), nn.MSELoss()
    elif name == "lenet":
        m, x, y, loss = LeNet(), torch.rand(b, 1, 28, 28), cls(10), nn.CrossEntropyLoss()
    elif name == "lstm":
        m, x, y, loss = LSTMNet(False, 1), torch.rand(b, 20, 32), torch.rand(b, 1), nn.MSELoss()
    elif name == "transformer":
        m, x, y, loss = TransformerNet(), torch.rand(b, 16, 32), cls(5), nn.CrossEntropyLoss()
    elif name == "gru":
        m, x, y, loss = GRUNet(), torch.rand(b, 20, 32), torch.rand(b, 1), nn.MSELoss()
    elif name == "textcnn":
        m, x, y, loss = TextCNN(), torch.randint(0, 1000, (b, 40)), cls(4), nn.CrossEntropyLoss()
    else:
        m, x, y, loss = LSTMNet(True, 5), torch.rand(b, 20, 32), cls(5), nn.CrossEntropyLoss()
    m = m.to(dtype)
    if x.is_floating_point():
        x = x.to(dtype)
    if y.is_floating_point():
        y = y.to(dtype)
    if name in ("mlp", "lstm", "bilstm", "transformer", "gru", "textcnn"):
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
