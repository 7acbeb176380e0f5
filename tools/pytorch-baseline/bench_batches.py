"""Time PyTorch training iterations on the batches a file names: the PyTorch side of
`make bench-compare` (tools/bench-compare/bench_compare.py), with the options of
`fsnn bench train` so that one argument list drives both sides.

The batches file is {"dataset": "<fsnn dataset name>", "split": "train", "batches": [[i, ...], ...]}:
sample indices into that split as data.py reads it (the same files, split and normalisation as
fsnn, no augmentation).  The first --warmups batches are run untimed, the next --iterations timed.
A fresh model (seed 0) and SGD (lr 0.05, momentum 0.9, wd 5e-4; linear warm-up over --lr-warmup
iterations counted from the first batch) per run.  Prints one JSON object on stdout:

  {"side": "pytorch", "torch": ..., "torch_config": ..., "threads": n,
   "rows": [{"label": "stopping rule", "total_ms": [...], "simulate_ms": [...], "solve_ms": [...],
             "parameter_gradient_ms": [...], "solver_iterations": [...], "loss": [...]}]}

with one entry per timed iteration ("parameter_gradient" = the f application, classifier, backward
and optimizer step; STBP: backward through time and optimizer step; solve 0, no solver iterations).
"""
import argparse
import json
import re
import sys

import torch

import alexnet_f
import data as datasets
import ide_step as ide
import stbp_step as stbp

MODELS = ("fmnist_f400", "mnist_64c5s_f64c5", "alexnet_f")
CONVOLUTIONAL = ("mnist_64c5s_f64c5", "alexnet_f")


def torch_config_summary():
    """One line from torch.__config__.show() and parallel_info(): version, MKL, oneDNN, CPU
    capability, parallel backend and intra-op threads."""
    show, parallel = torch.__config__.show(), torch.__config__.parallel_info()
    find = lambda pattern, text: (re.search(pattern, text) or [None, "?"])[1]
    mkl = find(r"Math Kernel Library Version ([0-9.]+)", show)
    onednn = find(r"MKL-DNN (v\S+)", show)
    capability = find(r"CPU capability usage: (\S+)", show)
    backend = find(r"ATen parallel backend: (\S+)", parallel)
    threads = find(r"at::get_num_threads\(\) : (\d+)", parallel)
    return (f"torch {torch.__version__}: MKL {mkl}, oneDNN {onednn}, CPU capability {capability}, "
            f"{backend} backend, {threads} threads")


def make_model(args, quirks):
    leak = args.lambda_ if args.neuron == "lif" else 1.0
    if args.model == "alexnet_f":
        return alexnet_f.make_model(args.model, T=args.T, leak=leak, quirks=quirks)
    return ide.make_model(args.model, T=args.T, leak=leak, quirks=quirks)


def read_batches(path, batch):
    with open(path) as handle:
        spec = json.load(handle)
    if spec.get("split") != "train" or not isinstance(spec.get("batches"), list):
        raise SystemExit(f"{path}: want {{\"dataset\": ..., \"split\": \"train\", \"batches\": [[...], ...]}}")
    sizes = {len(b) for b in spec["batches"]}
    if sizes != {batch}:
        raise SystemExit(f"{path}: batch sizes {sorted(sizes)}, --batch {batch}")
    return spec["dataset"], spec["batches"]


def option_parser(description, models, methods=("ide", "stbp")):
    """`fsnn bench train`'s options, as `make bench-compare` passes them to every side."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--model", required=True, choices=models)
    p.add_argument("--neuron", default="if", choices=["if", "lif"])
    p.add_argument("--lambda", dest="lambda_", type=float, default=0.95, help="LIF leak factor")
    p.add_argument("--T", type=int, required=True)
    p.add_argument("--method", default="ide", choices=methods)
    p.add_argument("--quirk", action="append", default=[], help="fsnn quirk name (repeatable)")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--batches", required=True, help="JSON file of sample indices")
    p.add_argument("--warmups", type=int, default=3)
    p.add_argument("--iterations", type=int, default=20)
    p.add_argument("--lr-warmup", type=int, default=0, help="linear learning-rate warm-up iterations")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--data-dir", help="data root (default: $FSNN_DATA, else the repository's data/)")
    return p


def checked_batches(p, args):
    """(dataset, batches) of --batches: --warmups + --iterations batches of --batch indices."""
    dataset, batches = read_batches(args.batches, args.batch)
    if len(batches) != args.warmups + args.iterations:
        p.error(f"{args.batches} holds {len(batches)} batches, want --warmups + --iterations = "
                f"{args.warmups + args.iterations}")
    return dataset, batches


def time_iterations(batches, warmups, batch_of, step):
    """Runs r = step(i, x, y) on every batch, (x, y) = batch_of(indices) prepared untimed, the first
    `warmups` untimed; r holds the phases' seconds ("total", "simulate", "solve", "rest"), "loss" and
    "iters" (None without a solver).  Returns the timed iterations' lists in milliseconds."""
    rows = {k: [] for k in ("total_ms", "simulate_ms", "solve_ms", "parameter_gradient_ms", "solver_iterations", "loss")}
    for i, indices in enumerate(batches):
        x, y = batch_of(indices)
        r = step(i, x, y)
        timed = i >= warmups
        print(f"  {'timed' if timed else 'warm-up'} {i}: {r['total'] * 1e3:.1f} ms, loss {r['loss']:.3f}"
              + (f", solver {r['iters']} it" if r["iters"] is not None else ""), file=sys.stderr, flush=True)
        if timed:
            for key, phase in [("total_ms", "total"), ("simulate_ms", "simulate"), ("solve_ms", "solve"),
                               ("parameter_gradient_ms", "rest")]:
                rows[key].append(r[phase] * 1e3)
            if r["iters"] is not None:
                rows["solver_iterations"].append(r["iters"])
            rows["loss"].append(r["loss"])
    return rows


def print_result(rows):
    """The JSON object bench_compare.py reads, on stdout."""
    print(json.dumps({"side": "pytorch", "torch": torch.__version__, "torch_config": torch_config_summary(),
                      "threads": torch.get_num_threads(), "rows": [{"label": "stopping rule", **rows}]}))


def main():
    p = option_parser(__doc__.split("\n\n")[0], MODELS)
    args = p.parse_args()
    quirks = frozenset(args.quirk)
    if quirks - ide.QUIRKS:
        p.error(f"quirk(s) not implemented by the PyTorch baseline: {', '.join(sorted(quirks - ide.QUIRKS))}")
    if args.model in CONVOLUTIONAL and "spectral_reshaped_kernel_norm" not in quirks:
        p.error(f"{args.model}: the baseline implements only the reshaped-kernel spectral norm; "
                "pass --quirk spectral_reshaped_kernel_norm")
    dataset, batches = checked_batches(p, args)

    torch.set_num_threads(args.threads)
    x_all, y_all = (torch.from_numpy(t) for t in datasets.load(dataset, "train", args.data_dir))
    if args.model == "fmnist_f400":
        x_all = x_all.reshape(len(x_all), -1)
    torch.manual_seed(0)
    model = make_model(args, quirks)
    opt = ide.make_optimizer(model)

    def step(i, x, y):
        if args.lr_warmup:
            ide.set_warmup_lr(opt, i, warmup=args.lr_warmup)
        return stbp.train_step(model, opt, x, y) if args.method == "stbp" else ide.train_step(model, opt, x, y)

    batch_of = lambda indices: (x_all[torch.tensor(indices)], y_all[torch.tensor(indices)])
    print_result(time_iterations(batches, args.warmups, batch_of, step))


if __name__ == "__main__":
    main()
