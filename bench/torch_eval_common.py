"""What the PyTorch peers of the live page's evaluation share (torch_live_eval.py: the reference net,
torch_plan_eval.py: a plan network): the command line, the MNIST test images, and the timed evaluation
of every net in the payload. Each script passes how to turn one net's JSON entry into torch parameters
(`prepare(entry, spec)`) and its forward pass (`forward(x, params, spec)`); `spec` is the whole payload.
"""
import argparse, json, os, struct, time
import torch


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8).reshape(dims)


def run(prepare, forward):
    """Parse `<nets.json> <mnist-dir> [--threads --batch --repeats]`, evaluate every net of the payload's
    "nets" on the 10k test images (median of the repeats after a warm-up batch), print one JSON object."""
    ap = argparse.ArgumentParser()
    ap.add_argument("nets")
    ap.add_argument("data")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    images = read_idx(os.path.join(a.data, "t10k-images-idx3-ubyte")).float().div(255).unsqueeze(1)
    labels = read_idx(os.path.join(a.data, "t10k-labels-idx1-ubyte")).long()
    with open(a.nets) as f:
        spec = json.load(f)
    out = {"threads": a.threads, "images": int(images.shape[0]), "nets": {}}
    with torch.no_grad():
        for name, entry in spec["nets"].items():
            p = prepare(entry, spec)
            forward(images[: a.batch], p, spec)  # warm-up
            times = []
            for _ in range(a.repeats):
                t = time.perf_counter()
                correct = 0
                for s in range(0, images.shape[0], a.batch):
                    correct += int((forward(images[s:s + a.batch], p, spec).argmax(1) == labels[s:s + a.batch]).sum())
                times.append((time.perf_counter() - t) * 1000)
            out["nets"][name] = {"ms": sorted(times)[len(times) // 2], "accuracy": correct / images.shape[0]}
    print(json.dumps(out))
