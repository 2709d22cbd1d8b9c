# The PyTorch twin of main.go: the same data, split sizes, network, optimizer
# and checkpoint (random streams differ, so the numbers differ slightly).
#
#   python3 examples/digits/digits_torch.py
from collections import OrderedDict

import numpy as np
import torch
from torch import nn
from safetensors.torch import save_file

raw = np.loadtxt("data/testdata/sklearn/digits.csv.gz", delimiter=",")
x = torch.tensor(raw[:, :64], dtype=torch.float64)
y = torch.tensor(raw[:, 64], dtype=torch.int64)
g = torch.Generator().manual_seed(1)
perm = torch.randperm(len(x), generator=g)
test, tr = perm[: int(np.ceil(0.2 * len(x)))], perm[int(np.ceil(0.2 * len(x))) :]
model = nn.Sequential(OrderedDict(fc1=nn.Linear(64, 128), relu=nn.ReLU(), fc2=nn.Linear(128, 10))).double()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(20):
    for b in tr[torch.randperm(len(tr), generator=g)].split(32):
        opt.zero_grad()
        loss = loss_fn(model(x[b]), y[b])
        loss.backward()
        opt.step()
model.eval()
with torch.no_grad():
    acc = (model(x[test]).argmax(1) == y[test]).double().mean()
print(f"test accuracy {acc:.3f}")
save_file(model.state_dict(), "digits.safetensors")
