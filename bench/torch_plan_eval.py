#!/usr/bin/python3
"""PyTorch peer of the live page's evaluation of a plan network (src/lib/sinn: SINN / INN families): the
plan's graph interpreted with the given discrete weights (tfjs layout, batch-norm folded to a per-channel
scale and shift, as the page evaluates it) on the MNIST test images, timed after a warm-up. Prints one
JSON object.

  /usr/bin/python3 bench/torch_plan_eval.py <nets.json> <mnist-dir> [--threads 2 --batch 1000 --repeats 3]

nets.json: {"plan": [{"id", "inputs": [...], "op": {"op": "conv2d", "kernel": 3, "stride": 2, ...}}, ...],
            "nets": {"<name>": {"<node id>": {"weight": {"shape", "values"}, "bias"?: ..., "scale"?: ..., "shift"?: ...}}}}
Padding is TensorFlow's "same" (extra row/column at the bottom/right when odd), as tfjs uses.
"""
import math
import torch
import torch.nn.functional as F
from torch_eval_common import run


def tensor(entry):
    return torch.tensor(entry["values"], dtype=torch.float32).reshape(entry["shape"])


def same_pad(size, kernel, stride):
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def pad_same(h, kernel, stride, value=0.0):
    top, bottom = same_pad(h.shape[2], kernel, stride)
    left, right = same_pad(h.shape[3], kernel, stride)
    if top or bottom or left or right:
        h = F.pad(h, (left, right, top, bottom), value=value)
    return h


def prepare(weights, spec):
    """Torch-layout parameters per node."""
    plan = spec["plan"]
    out = {}
    for node in plan:
        op = node["op"]["op"]
        w = weights.get(node["id"])
        if op in ("conv2d", "pointwise-conv2d"):
            out[node["id"]] = tensor(w["weight"]).permute(3, 2, 0, 1).contiguous()  # [k,k,in,out] -> [out,in,k,k]
        elif op == "depthwise-conv2d":
            out[node["id"]] = tensor(w["weight"]).permute(2, 3, 0, 1).contiguous()  # [k,k,C,1] -> [C,1,k,k]
        elif op == "batch-norm":
            out[node["id"]] = (tensor(w["scale"]).reshape(1, -1, 1, 1), tensor(w["shift"]).reshape(1, -1, 1, 1))
        elif op == "dense":
            out[node["id"]] = (tensor(w["weight"]).t().contiguous(), tensor(w["bias"]))
    return out


def forward(x, p, spec):
    plan = spec["plan"]
    values = {}
    for node in plan:
        op = node["op"]
        kind = op["op"]
        xs = [values[i] for i in node["inputs"]]
        if kind == "input":
            h = x * 2 - 1
        elif kind == "conv2d":
            h = F.conv2d(pad_same(xs[0], op["kernel"], op["stride"]), p[node["id"]], stride=op["stride"])
        elif kind == "pointwise-conv2d":
            h = F.conv2d(xs[0], p[node["id"]], stride=op["stride"])
        elif kind == "depthwise-conv2d":
            w = p[node["id"]]
            h = F.conv2d(pad_same(xs[0], op["kernel"], op["stride"]), w, stride=op["stride"], groups=w.shape[0])
        elif kind == "batch-norm":
            scale, shift = p[node["id"]]
            h = xs[0] * scale + shift
        elif kind == "relu":
            h = F.relu(xs[0])
        elif kind == "max-pool":
            h = F.max_pool2d(pad_same(xs[0], op["size"], op["stride"], float("-inf")), op["size"], op["stride"])
        elif kind == "global-avg-pool":
            h = xs[0].mean(dim=(2, 3))
        elif kind == "add":
            h = xs[0] + xs[1]
        elif kind == "concat":
            h = torch.cat(xs, dim=1)
        elif kind == "dense":
            w, b = p[node["id"]]
            h = F.linear(xs[0], w, b)
        else:
            raise ValueError(f"unknown op {kind}")
        values[node["id"]] = h
    return values[plan[-1]["id"]]


if __name__ == "__main__":
    run(prepare, forward)
