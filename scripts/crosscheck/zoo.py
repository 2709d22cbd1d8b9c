"""The zoo models as PyTorch modules (DESIGN.md, "The model zoo"), their
batches and losses. Used by crosscheck.py."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class SimpleNet(nn.Module):
    def __init__(s, i=100, h=50, o=1):
        super().__init__()
        s.fc1 = nn.Linear(i, h)
        s.fc2 = nn.Linear(h, o)

    def forward(s, x):
        return s.fc2(F.relu(s.fc1(x)))


class MLP(nn.Module):
    def __init__(s):
        super().__init__()
        s.fc1 = nn.Linear(784, 256)
        s.fc2 = nn.Linear(256, 128)
        s.fc3 = nn.Linear(128, 10)

    def forward(s, x):
        return s.fc3(F.relu(s.fc2(F.relu(s.fc1(x)))))


class MLPBN(nn.Module):
    def __init__(s):
        super().__init__()
        s.fc1 = nn.Linear(100, 64)
        s.bn1 = nn.BatchNorm1d(64)
        s.fc2 = nn.Linear(64, 1)

    def forward(s, x):
        return s.fc2(F.relu(s.bn1(s.fc1(x))))


class LeNet(nn.Module):
    def __init__(s):
        super().__init__()
        s.conv1 = nn.Conv2d(1, 6, 5)
        s.conv2 = nn.Conv2d(6, 16, 5)
        s.fc1 = nn.Linear(256, 120)
        s.fc2 = nn.Linear(120, 84)
        s.fc3 = nn.Linear(84, 10)

    def forward(s, x):
        x = F.max_pool2d(F.relu(s.conv1(x)), 2)
        x = F.max_pool2d(F.relu(s.conv2(x)), 2)
        x = x.flatten(1)
        return s.fc3(F.relu(s.fc2(F.relu(s.fc1(x)))))


class LSTMNet(nn.Module):
    def __init__(s, bi):
        super().__init__()
        s.bi = bi
        s.lstm = nn.LSTM(32, 64, batch_first=True, bidirectional=bi)
        s.fc = nn.Linear(128 if bi else 64, 5 if bi else 1)

    def forward(s, x):
        out, (h, _) = s.lstm(x)
        if s.bi:
            return s.fc(torch.cat([h[0], h[1]], dim=1))
        return s.fc(out[:, -1, :])


class TransformerNet(nn.Module):
    def __init__(s):
        super().__init__()
        s.enc = nn.TransformerEncoderLayer(d_model=32, nhead=4, dim_feedforward=64, dropout=0.0, batch_first=True)
        s.fc = nn.Linear(32, 5)

    def forward(s, x):
        return s.fc(s.enc(x).mean(dim=1))


class GRUNet(nn.Module):
    def __init__(s):
        super().__init__()
        s.gru = nn.GRU(32, 64, batch_first=True)
        s.fc = nn.Linear(64, 1)

    def forward(s, x):
        out, _ = s.gru(x)
        return s.fc(out[:, -1, :])


class TextCNN(nn.Module):
    def __init__(s):
        super().__init__()
        s.emb = nn.Embedding(1000, 32)
        s.conv = nn.Conv1d(32, 64, 3, padding=1)
        s.fc = nn.Linear(64, 4)

    def forward(s, x):
        h = F.relu(s.conv(s.emb(x).transpose(1, 2)))
        return s.fc(h.max(dim=2).values)


# name -> (constructor, x shape without the batch axis, loss, classes)
MODELS = {
    "simplenet": (lambda: SimpleNet(), (100,), "mse", None),
    "binary": (lambda: SimpleNet(30, 16, 1), (30,), "bce", None),
    "mlp": (MLP, (784,), "ce", 10),
    "mlpbn": (MLPBN, (100,), "mse", None),
    "lenet": (LeNet, (1, 28, 28), "ce", 10),
    "lstm": (lambda: LSTMNet(False), (20, 32), "mse", None),
    "bilstm": (lambda: LSTMNet(True), (20, 32), "ce", 5),
    "transformer": (TransformerNet, (16, 32), "ce", 5),
    "gru": (GRUNet, (20, 32), "mse", None),
    "textcnn": (TextCNN, (40,), "ce", 4),
}

# name -> vocabulary size, for models whose x holds int64 token ids
VOCAB = {"textcnn": 1000}

LOSSES = {"mse": F.mse_loss, "bce": F.binary_cross_entropy_with_logits, "ce": F.cross_entropy}


def make(name, dtype=torch.float64):
    m = MODELS[name][0]().to(dtype)
    m.train()
    return m


def batch(name, b, dtype=torch.float64):
    _, xshape, loss, classes = MODELS[name]
    if name in VOCAB:
        x = torch.randint(0, VOCAB[name], (b, *xshape))
    else:
        x = torch.randn(b, *xshape, dtype=dtype)
    if loss == "ce":
        y = torch.randint(0, classes, (b,))
    elif loss == "bce":
        y = torch.randint(0, 2, (b, 1)).to(dtype)
    else:
        y = torch.randn(b, 1, dtype=dtype)
    return x, y


def loss_of(name, out, y):
    return LOSSES[MODELS[name][2]](out, y)
