"""Time IDE training iterations of ide_step.py on real (Fashion-)MNIST batches of 128.

Per configuration (model x stopping rule x threads): a fresh model, 3 warm-up iterations, then N
timed ones; prints the median and best ms/iteration, the median simulate/solve/rest split and the
mean number of Broyden iterations.  Optionally times one full F-MNIST training epoch (469 its).
"""
import argparse
import json
import os
import statistics
import subprocess
import time

import torch

import data as datasets
import ide_step as ide


def load_train(dataset, flatten):
    """The training split as fsnn reads it (data.py), flattened for the FC model."""
    x, y = datasets.load(dataset, "train")
    return torch.from_numpy(x.reshape(len(x), -1) if flatten else x), torch.from_numpy(y)


def batches(x, y, batch, gen):
    """Endless shuffled mini-batches (last partial batch kept, like a DataLoader)."""
    while True:
        perm = torch.randperm(len(x), generator=gen)
        for i in range(0, len(x), batch):
            idx = perm[i:i + batch]
            yield x[idx], y[idx]


def wait_idle(max_load=0.5, poll=60):
    """Wait until no process named fsnn runs and the 1-minute load average is below max_load."""
    while True:
        busy = subprocess.run(["pgrep", "-x", "fsnn"], capture_output=True).returncode == 0
        load = os.getloadavg()[0]
        if not busy and load < max_load:
            return
        print(f"  [waiting: fsnn running={busy}, load={load:.2f}]", flush=True)
        time.sleep(poll)


def run_config(name, data, threads, forced, timed, warmup=3, batch=128):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model, gen = ide.make_model(name, quirks=ide.REFERENCE_QUIRKS), torch.Generator().manual_seed(0)
    opt = ide.make_optimizer(model)
    it = batches(*data, batch, gen)
    for _ in range(warmup):
        ide.train_step(model, opt, *next(it), forced=forced)
    rs = [ide.train_step(model, opt, *next(it), forced=forced) for _ in range(timed)]
    ms = lambda k: statistics.median(r[k] for r in rs) * 1e3
    return {"model": name, "threads": threads, "gemv_bmm": ide.GEMV_BMM, "rule": "forced 30" if forced else "tolerance",
            "timed": timed, "median_ms": ms("total"), "best_ms": min(r["total"] for r in rs) * 1e3,
            "simulate_ms": ms("simulate"), "solve_ms": ms("solve"), "rest_ms": ms("rest"),
            "mean_iters": statistics.mean(r["iters"] for r in rs),
            "loss_first": rs[0]["loss"], "loss_last": rs[-1]["loss"]}


def run_epoch(data, threads, batch=128):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model, gen = ide.make_model("fmnist_f400", quirks=ide.REFERENCE_QUIRKS), torch.Generator().manual_seed(0)
    opt = ide.make_optimizer(model)
    n = (len(data[0]) + batch - 1) // batch
    it = batches(*data, batch, gen)
    iters, losses = [], []
    t0 = time.perf_counter()
    for _ in range(n):
        r = ide.train_step(model, opt, *next(it))
        iters.append(r["iters"])
        losses.append(r["loss"])
    wall = time.perf_counter() - t0
    return {"model": "fmnist_f400", "threads": threads, "gemv_bmm": ide.GEMV_BMM, "iterations": n, "wall_s": wall,
            "mean_iters": statistics.mean(iters), "max_iters": max(iters),
            "mean_loss_first_50": statistics.mean(losses[:50]),
            "mean_loss_last_50": statistics.mean(losses[-50:])}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", default="2,1", help="comma-separated thread counts")
    p.add_argument("--models", default="fmnist_f400,mnist_64c5s_f64c5")
    p.add_argument("--rules", default="tolerance,forced")
    p.add_argument("--epoch", action="store_true", help="also time one F-MNIST epoch (2 threads)")
    p.add_argument("--epoch-only", action="store_true")
    p.add_argument("--wait-idle", action="store_true",
                   help="before each measurement wait for no `fsnn` process and load < 0.5")
    p.add_argument("--json", help="append results as JSON lines to this file")
    p.add_argument("--gemv-bmm", action="store_true",
                   help="Broyden products as matrix x column-vector bmm (slow PyTorch path)")
    args = p.parse_args()
    ide.GEMV_BMM = args.gemv_bmm

    print("torch", torch.__version__, "| mkldnn", torch.backends.mkldnn.is_available(),
          "| mkl", torch.backends.mkl.is_available(), "| gemv-shaped Broyden bmm", ide.GEMV_BMM)
    print(torch.__config__.parallel_info())
    data = {"fmnist_f400": load_train("fashion-mnist", flatten=True),
            "mnist_64c5s_f64c5": load_train("mnist", flatten=False)}
    results = []
    if not args.epoch_only:
        for threads in map(int, args.threads.split(",")):
            for name in args.models.split(","):
                for rule in args.rules.split(","):
                    forced = rule == "forced"
                    timed = 20 if name == "fmnist_f400" else (3 if forced else 5)
                    if args.wait_idle:
                        wait_idle()
                    r = run_config(name, data[name], threads, forced, timed)
                    results.append(r)
                    print(f"{name:18s} {r['rule']:9s} threads={threads}: median {r['median_ms']:.1f} ms"
                          f" (best {r['best_ms']:.1f}) | simulate {r['simulate_ms']:.1f} / solve"
                          f" {r['solve_ms']:.1f} / rest {r['rest_ms']:.1f} ms | Broyden its"
                          f" {r['mean_iters']:.1f} | n={timed}", flush=True)
    if args.epoch or args.epoch_only:
        if args.wait_idle:
            wait_idle()
        r = run_epoch(data["fmnist_f400"], 2)
        results.append(r)
        print(f"F-MNIST F400 epoch, 2 threads: {r['iterations']} iterations in {r['wall_s']:.1f} s"
              f" ({r['wall_s'] / r['iterations'] * 1e3:.1f} ms/it), Broyden its mean"
              f" {r['mean_iters']:.1f} max {r['max_iters']}, loss {r['mean_loss_first_50']:.3f} ->"
              f" {r['mean_loss_last_50']:.3f}", flush=True)
    if args.json:
        with open(args.json, "a") as fh:
            for r in results:
                fh.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
