"""PyTorch against fsnn on the same real batches: the speed table run by `make bench-compare`.

The PyTorch side of a configuration is either the project's PyTorch baseline (tools/pytorch-baseline)
or the released reference code (pkuxmq/IDE-FSNN, a checkout given by --released, run on the CPU by
tools/reference/bench_released.py).  For each configuration and thread count the driver writes one
batches file of seeded random training-sample indices,

    {"dataset": "<fsnn dataset name>", "split": "train", "batches": [[...], [...], ...]}

(warm-up batches first), then runs the two sides alternately, PyTorch, fsnn, PyTorch, fsnn, ...,
--rounds times, each run a child process of this one given the same file:

    <python> tools/pytorch-baseline/bench_batches.py <options> --batches FILE
        (or <python> tools/reference/bench_released.py <options> --batches FILE --released PATH)
    <fsnn> bench train <options> --batches FILE --no-forced --json

with one option list for both (model, neuron, λ, T, method, quirks, batch, warm-ups, iterations,
learning-rate warm-up, threads, data root).  Each run builds a fresh model, trains on the warm-up
batches untimed and on the timed ones timed; the driver pools the timed iterations of every round
per side and prints, per configuration, for every thread count the medians, the ratio
PyTorch / fsnn, whether the project's speed target is met, and each side's parallel efficiency
(1-thread median / (n x n-thread median)), with the CPU (/proc/cpuinfo), the OpenBLAS core fsnn
reports and torch's build summary.

fsnn output: the JSON object of `--json` (see tools/pytorch-baseline/README.md), or, failing that,
the Markdown table of `fsnn bench train` (its "stopping rule" row: round medians only).
This process uses the standard library and the baseline's data.py (for the split sizes); torch
runs only in the child processes, so its threads never compete with fsnn's.
"""
import argparse
import dataclasses
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BASELINE = os.path.join(HERE, "..", "pytorch-baseline")
# The PyTorch programs a configuration can be timed against: label and script.
PROGRAMS = {"baseline": ("PyTorch baseline", os.path.join(BASELINE, "bench_batches.py")),
            "released": ("released code", os.path.join(HERE, "..", "reference", "bench_released.py"))}
sys.path.insert(0, BASELINE)
import data as datasets  # noqa: E402  (the baseline's reader: the split sizes fsnn sees)


@dataclasses.dataclass(frozen=True)
class Configuration:
    key: str
    title: str
    model: str
    dataset: str
    method: str
    neuron: str
    T: int
    target: float                   # PyTorch / fsnn at least this
    warmups: int
    iterations: int
    leak: float = 0.95
    quirks: tuple = ()
    lr_warmup: int = 0
    epoch_batches: int = 0          # > 0: also require epoch_batches x fsnn median <= epoch_limit_s
    epoch_limit_s: float = 0.0
    program: str = "baseline"       # the PyTorch side: a key of PROGRAMS

    def options(self, batch, threads, warmups, iterations, data_root, extra_quirks):
        """The option list both `bench_batches.py` and `fsnn bench train` take."""
        options = ["--model", self.model, "--neuron", self.neuron, "--T", str(self.T), "--method", self.method,
                   "--batch", str(batch), "--warmups", str(warmups), "--iterations", str(iterations),
                   "--threads", str(threads), "--data-dir", data_root]
        if self.neuron == "lif":
            options += ["--lambda", str(self.leak)]
        for quirk in dict.fromkeys(self.quirks + tuple(extra_quirks)):
            options += ["--quirk", quirk]
        if self.lr_warmup:
            options += ["--lr-warmup", str(self.lr_warmup)]
        return options

    def target_text(self):
        text = f"≥ {self.target:g}×"
        if self.epoch_batches:
            text += f", epoch ({self.epoch_batches} it) ≤ {self.epoch_limit_s / 60:g} min"
        return text


RESHAPED = ("spectral_reshaped_kernel_norm",)
# The released N-MNIST code (nmnist_conv.py) with IF neurons: the "iter" adjoint solver (B3), the
# padding-1 input convolution (B6), the reshaped-kernel spectral norm (B9).
RELEASED_NMNIST = ("nmnist_iter_solver_2I", "nmnist_input_conv_pad1", "spectral_reshaped_kernel_norm")
CONFIGURATIONS = [
    Configuration("f400-ide", "F400 IDE, IF, T 5", "fmnist_f400", "fashion-mnist", "ide", "if", 5,
                  target=3, warmups=3, iterations=20),
    Configuration("f400-stbp", "F400 STBP, IF, T 5", "fmnist_f400", "fashion-mnist", "stbp", "if", 5,
                  target=2, warmups=3, iterations=20),
    Configuration("mnist-ide", "MNIST 64C5s IDE, IF, T 30, reshaped-kernel norm", "mnist_64c5s_f64c5", "mnist",
                  "ide", "if", 30, target=4, warmups=1, iterations=5, quirks=RESHAPED),
    Configuration("mnist-stbp", "MNIST 64C5s STBP, IF, T 30, reshaped-kernel norm", "mnist_64c5s_f64c5", "mnist",
                  "stbp", "if", 30, target=2, warmups=1, iterations=5, quirks=RESHAPED),
    Configuration("alexnet-ide", "AlexNet-F IDE, LIF 0.99, T 30, cifar10-subset", "alexnet_f", "cifar10-subset",
                  "ide", "lif", 30, target=10, warmups=1, iterations=3, leak=0.99, quirks=RESHAPED,
                  lr_warmup=400, epoch_batches=391, epoch_limit_s=900),
    Configuration("alexnet-stbp", "AlexNet-F STBP, LIF 0.99, T 30, cifar10-subset", "alexnet_f", "cifar10-subset",
                  "stbp", "lif", 30, target=2, warmups=1, iterations=3, leak=0.99, quirks=RESHAPED, lr_warmup=400),
    Configuration("nmnist-ide", "N-MNIST 64C5s IDE, IF, T 30, padding 1, iter solver", "nmnist_64c5s_f64c5_p1",
                  "nmnist", "ide", "if", 30, target=3, warmups=1, iterations=5, quirks=RELEASED_NMNIST,
                  program="released"),
]


class SideFailed(Exception):
    """A run of one side that failed or printed no usable result."""

    def __init__(self, side, message):
        super().__init__(f"{side}: {message}")
        self.side = side


def data_root(folder):
    """fsnn's rule (DataRoot.resolve): --data-dir, else $FSNN_DATA, else ./data."""
    return os.path.abspath(folder or os.environ.get("FSNN_DATA") or "./data")


def write_batches(path, dataset, root, batch, count, seed):
    """`count` batches of distinct indices per batch: consecutive slices of seeded permutations."""
    n = datasets.split_size(dataset, "train", root)
    if n < batch:
        raise SystemExit(f"{dataset}: {n} training samples, fewer than a batch of {batch}")
    generator = random.Random(seed)
    batches, order = [], []
    while len(batches) < count:
        if len(order) < batch:
            order = generator.sample(range(n), n)
        batches.append(order[:batch])
        order = order[batch:]
    with open(path, "w") as handle:
        json.dump({"dataset": dataset, "split": "train", "batches": batches}, handle)
    return n


def cpu_summary():
    fields = {}
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        return "unknown CPU (no /proc/cpuinfo)"
    flags = set(fields.get("flags", "").split())
    vector = [f for f in ("avx2", "avx512f") if f in flags]
    return (f"{fields.get('model name', '?')} (family {fields.get('cpu family', '?')}, model {fields.get('model', '?')}; "
            f"{', '.join(vector) or 'no AVX2'}), {os.cpu_count()} logical CPUs")


def cpu_busy(seconds=1.0):
    """Fraction of all CPUs' time spent not idle over the next `seconds` (/proc/stat), None if unknown."""
    def sample():
        with open("/proc/stat") as handle:
            values = [int(v) for v in handle.readline().split()[1:]]
        return values[3] + values[4], sum(values)          # idle + iowait, total
    try:
        idle0, total0 = sample()
        time.sleep(seconds)
        idle1, total1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    return 1.0 - (idle1 - idle0) / max(total1 - total0, 1)


def wait_until_quiet(max_busy, max_wait):
    """The CPU busy fraction just before a run; with max_busy, first wait (up to max_wait seconds)
    until other processes keep the CPUs less busy than that."""
    busy, started = cpu_busy(), time.monotonic()
    while max_busy is not None and busy is not None and busy >= max_busy and time.monotonic() - started < max_wait:
        print(f"  [waiting: CPUs {100 * busy:.0f} % busy]", file=sys.stderr, flush=True)
        time.sleep(10)
        busy = cpu_busy()
    return busy


def run(command, environment, label):
    print(f"  {label}: {' '.join(command)}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    try:
        result = subprocess.run(command, env=environment, capture_output=True, text=True)
    except OSError as error:
        raise SideFailed(label, f"cannot run {command[0]}: {error}")
    if result.returncode != 0:
        raise SideFailed(label, f"exited with status {result.returncode}:\n{result.stderr.strip()[-2000:]}")
    print(f"  {label}: done in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return result.stdout, result.stderr


def stopping_rule_row(rows, side):
    for row in rows:
        if row.get("label") == "stopping rule":
            return row
    raise SideFailed(side, f"no 'stopping rule' row in {[row.get('label') for row in rows]}")


def parse_markdown(stdout):
    """The "stopping rule" row of `fsnn bench train`'s table: round medians of each phase."""
    for line in stdout.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells and cells[0] == "stopping rule":
            number = lambda text: float(text.split()[0]) if text not in ("—", "") else None
            iterations = number(cells[5])
            return {"label": "stopping rule", "total_ms": [number(cells[1])], "simulate_ms": [number(cells[2])],
                    "solve_ms": [number(cells[3])], "parameter_gradient_ms": [number(cells[4])],
                    "solver_iterations": [] if iterations is None else [iterations], "per_iteration": False}
    raise SideFailed("fsnn", "no JSON object and no 'stopping rule' row in its output:\n" + stdout[-2000:])


def run_pytorch(args, configuration, options, batches, threads):
    environment = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    released = ["--released", args.released] if configuration.program == "released" else []
    stdout, _ = run([args.python, PROGRAMS[configuration.program][1], *options, "--batches", batches, *released],
                    environment, "PyTorch")
    try:
        result = json.loads(stdout)
        return stopping_rule_row(result["rows"], "PyTorch"), {"torch": result.get("torch_config", "?")}
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise SideFailed("PyTorch", f"unusable output ({error}):\n{stdout[-2000:]}")


def run_fsnn(args, configuration, options, batches, threads):
    stdout, stderr = run([args.fsnn, "bench", "train", *options, "--batches", batches, "--no-forced", "--json"],
                         dict(os.environ), "fsnn")
    try:
        result = json.loads(stdout)
        row, core = stopping_rule_row(result["rows"], "fsnn"), result.get("openblas_core")
    except (json.JSONDecodeError, KeyError, TypeError):
        row, core = parse_markdown(stdout), None
    if core is None:
        match = re.search(r"OpenBLAS core ([^,\s]+)", stderr)
        core = match.group(1) if match else "?"
    return row, {"openblas": core}


@dataclasses.dataclass
class SideResult:
    rounds: list = dataclasses.field(default_factory=list)      # one row dict per round

    def pooled(self, key):
        return [value for row in self.rounds for value in row.get(key, []) if value is not None]

    def median(self, key="total_ms"):
        values = self.pooled(key)
        return statistics.median(values) if values else None

    def round_medians(self):
        return [statistics.median(row["total_ms"]) for row in self.rounds]

    def busy_text(self):
        busy = [row["busy_before"] for row in self.rounds if row.get("busy_before") is not None]
        return "—" if not busy else f"{100 * min(busy):.0f}–{100 * max(busy):.0f} %"


def measure(args, configuration, threads, work):
    warmups = configuration.warmups if args.warmups is None else args.warmups
    iterations = configuration.iterations if args.iterations is None else args.iterations
    batches = os.path.join(work, f"{configuration.key}-t{threads}.json")
    write_batches(batches, configuration.dataset, args.root, args.batch, warmups + iterations, args.seed)
    options = configuration.options(args.batch, threads, warmups, iterations, args.root, args.quirk)
    sides = {"pytorch": (run_pytorch, SideResult()), "fsnn": (run_fsnn, SideResult())}
    environment = {}
    for round_index in range(args.rounds):
        print(f"{configuration.title}, {threads} thread(s): round {round_index + 1}/{args.rounds}",
              file=sys.stderr, flush=True)
        for side in args.sides:
            runner, result = sides[side]
            busy = wait_until_quiet(args.max_busy, args.max_wait)
            row, found = runner(args, configuration, options, batches, threads)
            result.rounds.append(dict(row, busy_before=busy))
            environment.update(found)
    return {side: sides[side][1] for side in args.sides}, environment, (warmups, iterations)


def cell(value, digits=1):
    return "—" if value is None else f"{value:,.{digits}f}"


def verdict(configuration, pytorch, fsnn):
    """(ratio PyTorch/fsnn or None, whether the target is met)."""
    if pytorch is None or fsnn is None:
        return None, "—"
    ratio = pytorch / fsnn
    met = ratio >= configuration.target
    text = "yes" if met else "**no**"
    if configuration.epoch_batches:
        epoch_s = configuration.epoch_batches * fsnn / 1000
        text = f"{'yes' if met and epoch_s <= configuration.epoch_limit_s else '**no**'} (epoch {epoch_s / 60:.1f} min)"
    return ratio, text


def parallel_efficiency(medians, threads):
    """1-thread median / (n x n-thread median) as a percentage, or — without both medians."""
    one, many = medians.get(1), medians.get(threads)
    return "—" if one is None or many is None else f"{100 * one / (threads * many):.0f} %"


def report(args, results, environment):
    """The Markdown table: one row per configuration with every thread count side by side, then the
    per-side details of every (configuration, thread count)."""
    counts = list(dict.fromkeys(threads for _, threads, _, _ in results))
    many = [n for n in counts if n > 1] if 1 in counts else []
    lines = ["## PyTorch against fsnn on the same batches (`make bench-compare`)", "",
             f"- CPU: {cpu_summary()}",
             f"- fsnn: OpenBLAS core {environment.get('openblas', '— (not run)')}",
             f"- PyTorch: {environment.get('torch', '— (not run)')}",
             f"- batches of {args.batch} real training samples (seed {args.seed}), the same file for both sides; "
             f"{args.rounds} round(s) alternating {', '.join(args.sides)}; medians over every timed iteration "
             "of every round (best: the fastest one); ms per training iteration; \"CPUs busy before\": the share of CPU time other "
             "processes used in the second before each run",
             "- PyTorch side: the project's PyTorch baseline (tools/pytorch-baseline) or the released reference code "
             "(tools/reference/bench_released.py); ratio = PyTorch ms / fsnn ms at the same thread count; "
             "parallel efficiency of n threads = 1-thread median / (n × n-thread median), 100 % = perfect scaling", ""]
    header = ["iteration", "PyTorch side", "target"]
    for n in counts:
        header += [f"PyTorch ms ({n} thr)", f"fsnn ms ({n} thr)", f"ratio ({n} thr)", f"met ({n} thr)"]
    for n in many:
        header += [f"fsnn efficiency ({n} thr)", f"PyTorch efficiency ({n} thr)"]
    lines += ["| " + " | ".join(header) + " |",
              "|---|---|---|" + "---:|---:|---:|---|" * len(counts) + "---:|---:|" * len(many)]
    details = ["", "| iteration | threads | side | warm-up + timed | round medians ms | best ms | simulate | solve | "
               "param-grad | solver it | CPUs busy before |", "|---|---:|---|---|---|---:|---:|---:|---:|---:|---|"]
    for configuration in dict.fromkeys(c for c, _, _, _ in results):
        measured = {threads: sides for c, threads, sides, _ in results if c is configuration}
        medians = {side: {n: sides[side].median() for n, sides in measured.items() if side in sides}
                   for side in ("pytorch", "fsnn")}
        cells = [configuration.title, PROGRAMS[configuration.program][0], configuration.target_text()]
        for n in counts:
            pytorch, fsnn = medians["pytorch"].get(n), medians["fsnn"].get(n)
            ratio, met = verdict(configuration, pytorch, fsnn)
            cells += [cell(pytorch), cell(fsnn), "—" if ratio is None else f"{ratio:.2f}×", met]
        for n in many:
            cells += [parallel_efficiency(medians["fsnn"], n), parallel_efficiency(medians["pytorch"], n)]
        lines.append("| " + " | ".join(cells) + " |")
    for configuration, threads, sides, (warmups, iterations) in results:
        for side, result in sides.items():
            label = PROGRAMS[configuration.program][0] if side == "pytorch" else side
            iterations_run = result.pooled("solver_iterations")
            details.append(
                f"| {configuration.title} | {threads} | {label} | {warmups} + {iterations} | "
                f"{', '.join(cell(m) for m in result.round_medians())} | {cell(min(result.pooled('total_ms')))} | "
                f"{cell(result.median('simulate_ms'))} | "
                f"{cell(result.median('solve_ms'))} | {cell(result.median('parameter_gradient_ms'))} | "
                f"{cell(statistics.mean(iterations_run)) if iterations_run else '—'} | {result.busy_text()} |")
    return "\n".join(lines + details)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--configs", default="all",
                   help="all, or a comma list of: " + ", ".join(c.key for c in CONFIGURATIONS))
    p.add_argument("--threads", default="2", help="comma list of thread counts (both sides), e.g. 2,1")
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds per configuration")
    p.add_argument("--sides", default="pytorch,fsnn", help="the sides to run, in round order")
    p.add_argument("--fsnn", default=".build/release/fsnn", help="the fsnn executable")
    p.add_argument("--python", default=sys.executable, help="a Python with torch and numpy")
    p.add_argument("--released", help="a pkuxmq/IDE-FSNN checkout: the PyTorch side of "
                   + ", ".join(c.key for c in CONFIGURATIONS if c.program == "released")
                   + " (with --configs all, those are left out without it)")
    p.add_argument("--data-dir", help="data root (default: $FSNN_DATA, else ./data)")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--warmups", type=int, help="untimed batches per run (default: per configuration)")
    p.add_argument("--iterations", type=int, help="timed batches per run (default: per configuration)")
    p.add_argument("--quirk", action="append", default=[], help="a further quirk for both sides (repeatable)")
    p.add_argument("--seed", type=int, default=0, help="seed of the batch indices")
    p.add_argument("--work-dir", help="where the batches files go (default: a temporary folder)")
    p.add_argument("--json", help="also write every round's rows to this file")
    p.add_argument("--max-busy", type=float,
                   help="before each run wait until the CPUs are less busy than this fraction (e.g. 0.2)")
    p.add_argument("--max-wait", type=float, default=600, help="longest wait for --max-busy, seconds")
    args = p.parse_args()
    known = {c.key: c for c in CONFIGURATIONS}
    keys = list(known) if args.configs == "all" else args.configs.split(",")
    if unknown := [k for k in keys if k not in known]:
        p.error(f"unknown configuration(s) {', '.join(unknown)}; known: {', '.join(known)}")
    needs_checkout = [k for k in keys if known[k].program == "released"]
    if needs_checkout and not args.released and "pytorch" in args.sides.split(","):
        if args.configs != "all":
            p.error(f"{', '.join(needs_checkout)}: the PyTorch side is the released code; "
                    "pass --released PATH (make bench-compare RELEASED=PATH)")
        print(f"bench-compare: {', '.join(needs_checkout)} left out: the PyTorch side is the released code and "
              "no --released checkout was given", file=sys.stderr)
        keys = [k for k in keys if k not in needs_checkout]
    try:
        thread_counts = [int(t) for t in args.threads.split(",")]
    except ValueError:
        p.error(f"--threads {args.threads}: a comma list of thread counts, e.g. 2,1")
    if any(n < 1 for n in thread_counts) or len(set(thread_counts)) != len(thread_counts):
        p.error(f"--threads {args.threads}: distinct thread counts ≥ 1")
    args.sides = args.sides.split(",")
    if not args.sides or any(side not in ("pytorch", "fsnn") for side in args.sides) or len(set(args.sides)) != len(args.sides):
        p.error("--sides: pytorch, fsnn or both, comma-separated")
    if args.rounds < 1 or args.batch < 1:
        p.error("--rounds and --batch must be ≥ 1")
    args.root = data_root(args.data_dir)

    results, environment = [], {}
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as scratch:
        work = args.work_dir or scratch
        os.makedirs(work, exist_ok=True)
        try:
            for threads in thread_counts:
                for key in keys:
                    sides, found, counts = measure(args, known[key], threads, work)
                    environment.update(found)
                    results.append((known[key], threads, sides, counts))
        except SideFailed as failure:
            print(f"bench-compare: {failure}", file=sys.stderr)
            if failure.side == "fsnn":
                print("bench-compare: fsnn must accept `bench train … --batches FILE --no-forced --json` "
                      "(tools/pytorch-baseline/README.md); `--sides pytorch` runs the PyTorch side alone",
                      file=sys.stderr)
            if not results:
                return 1
            print("bench-compare: the table below lists the configurations measured before the failure", file=sys.stderr)
    print(report(args, results, environment))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump([{"configuration": c.key, "threads": t, "warmups": w, "iterations": n,
                        **{side: r.rounds for side, r in sides.items()}}
                       for c, t, sides, (w, n) in results], handle, indent=1)
    return 0 if len(results) == len(keys) * len(thread_counts) else 1


if __name__ == "__main__":
    sys.exit(main())
