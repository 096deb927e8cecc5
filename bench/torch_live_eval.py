#!/usr/bin/python3
"""PyTorch peer of the live page's evaluation: the reference net with given discrete weights (tfjs layout,
from a JSON file) evaluated on the MNIST test images, timed after a warm-up. Prints one JSON object.

  /usr/bin/python3 bench/torch_live_eval.py <weights.json> <mnist-dir> [--threads 2 --batch 1000 --repeats 3]

weights.json: {"nets": {"<name>": [{"name": "conv1.weight", "shape": [3,3,1,16], "values": [...]}, ...]}}
"""
import torch
import torch.nn.functional as F
from torch_eval_common import run


def to_torch(params, spec=None):
    by = {p["name"]: torch.tensor(p["values"], dtype=torch.float32).reshape(p["shape"]) for p in params}
    convs = [(by[f"conv{i}.weight"].permute(3, 2, 0, 1).contiguous(), by[f"conv{i}.bias"]) for i in (1, 2, 3)]
    return convs, (by["dense.weight"].t().contiguous(), by["dense.bias"])


def forward(x, params, spec=None):
    convs, dense = params
    h = x * 2 - 1
    for (w, b), pad in zip(convs, (1, 2, 2)):
        h = F.avg_pool2d(F.relu(F.conv2d(F.pad(h, (pad,) * 4, mode="replicate"), w, b)), 2)
    return F.linear(h[:, :, 0, 0], dense[0], dense[1])


if __name__ == "__main__":
    run(to_torch, forward)
