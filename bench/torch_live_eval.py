#!/usr/bin/python3
"""PyTorch peer of the live page's evaluation: the reference net with given discrete weights (tfjs layout,
from a JSON file) evaluated on the MNIST test images, timed after a warm-up. Prints one JSON object.

  /usr/bin/python3 bench/torch_live_eval.py <weights.json> <mnist-dir> [--threads 2 --batch 1000 --repeats 3]

weights.json: {"nets": {"<name>": [{"name": "conv1.weight", "shape": [3,3,1,16], "values": [...]}, ...]}}
"""
import argparse, json, os, struct, sys, time
import torch
import torch.nn.functional as F


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8).reshape(dims)


def to_torch(params):
    by = {p["name"]: torch.tensor(p["values"], dtype=torch.float32).reshape(p["shape"]) for p in params}
    convs = [(by[f"conv{i}.weight"].permute(3, 2, 0, 1).contiguous(), by[f"conv{i}.bias"]) for i in (1, 2, 3)]
    return convs, (by["dense.weight"].t().contiguous(), by["dense.bias"])


def forward(x, convs, dense):
    h = x * 2 - 1
    for (w, b), pad in zip(convs, (1, 2, 2)):
        h = F.avg_pool2d(F.relu(F.conv2d(F.pad(h, (pad,) * 4, mode="replicate"), w, b)), 2)
    return F.linear(h[:, :, 0, 0], dense[0], dense[1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("weights")
    ap.add_argument("data")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    images = read_idx(os.path.join(a.data, "t10k-images-idx3-ubyte")).float().div(255).unsqueeze(1)
    labels = read_idx(os.path.join(a.data, "t10k-labels-idx1-ubyte")).long()
    nets = json.load(open(a.weights))["nets"]
    out = {"threads": a.threads, "images": int(images.shape[0]), "nets": {}}
    with torch.no_grad():
        for name, params in nets.items():
            convs, dense = to_torch(params)
            forward(images[: a.batch], convs, dense)  # warm-up
            times = []
            for _ in range(a.repeats):
                t = time.perf_counter()
                correct = 0
                for s in range(0, images.shape[0], a.batch):
                    correct += int((forward(images[s:s + a.batch], convs, dense).argmax(1) == labels[s:s + a.batch]).sum())
                times.append((time.perf_counter() - t) * 1000)
            out["nets"][name] = {"ms": sorted(times)[len(times) // 2], "accuracy": correct / images.shape[0]}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
