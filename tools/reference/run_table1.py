#!/usr/bin/env python3
"""Runs the released code's training script for a Table 1 row and writes fsnn's result file of it.

    run_table1.py --released PATH/TO/IDE-FSNN --row fmnist-if --seed 0 [--epochs E] [--threads 1]
                  [--results results] [--runs runs] [--data-dir DIR] [--overwrite]
    run_table1.py --from-log WORK/log.txt [--results results]

The first form runs the checkout's own script for the row (fashionmnist_fc.py or mnist_conv.py)
with its own defaults, which are the paper protocol of spec §7 (checked before it trains), and
`--leaky` (1 for IF, 0.95 for LIF), `--manualSeed SEED`, `--epochs`, `--workers 0` (no loader
processes: the run keeps to its threads; no random transforms, so the batches are the same),
`--path` fsnn's data root and `--checkpoint` its work folder `<runs>/table1/<row>/reference/seed-<k>/`.
It runs on the CPU with `--threads` threads: released.py redirects the script's CUDA calls,
torchvision_shim.py stands in for torchvision on fsnn's data files, and `torch.nn.DataParallel`
without a device calls the model directly. The script trains as it is; the wrapper only times
`train` and `test` and counts training batches (it wraps the script's own functions of those names),
and after each epoch, once the script has logged it and saved its checkpoint, writes
`<results>/table1/<row>/reference/seed-<k>.h5` in fsnn's layout (result_file.py): status `running`
until the last epoch, then `complete`; `interrupted` on SIGINT or SIGTERM, `failed` on an error
(both with the epoch and batch), each written atomically. A run killed without a word leaves
`running` with its finished epochs. An incomplete run is restarted from scratch, never resumed: the
released `--resume` restores neither the random state nor the learning-rate schedule (quirk B8).

The work folder keeps the script's `log.txt` and checkpoints and the wrapper's `run.json` (the
run's facts: implementation, revisions, data checksums, threads, CPU, start, and how it stopped) and
`epoch-seconds.txt` (work_folder.py). The second form rebuilds the result file from such a folder
alone, with numpy and h5py (no torch): complete when the log has every epoch, else as run.json says
it stopped, else `running`. The rows and the arguments their scripts get are in table1_rows.py.
tools/reference/README.md says what a result proves.
"""

import argparse
import datetime
import errno
import fcntl
import os
import re
import signal
import socket
import subprocess
import sys
import time
import traceback

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import idx_data  # noqa: E402
import result_file  # noqa: E402
from released_log import ReleasedLogError  # noqa: E402
from table1_rows import (PAPER_ARGUMENTS, REFERENCE_FOLDER, ROWS, TABLE, ArgumentsError,  # noqa: E402
                         check_arguments, released_arguments, result_path)
from work_folder import (EPOCH_SECONDS, LOG, RUN_FACTS, WORK_FILES, WorkFolderError,  # noqa: E402
                         rebuild, write_json)


class RunError(Exception):
    pass


# MARK: Provenance

def git(directory, *arguments):
    """git's exit status and output in `directory`; None when git cannot run."""
    try:
        done = subprocess.run(["git", "-C", directory, *arguments], capture_output=True, text=True)
    except OSError:
        return None
    return done.returncode, done.stdout.strip()


def fsnn_revision():
    """As fsnn records its own (Provenance.gitRevision): `git describe --always --abbrev=12`, with
    `-dirty` when tracked files differ from it outside results/; "unknown" without git."""
    described = git(REPOSITORY, "describe", "--always", "--abbrev=12")
    if described is None or described[0] != 0 or not described[1]:
        return "unknown"
    changed = git(REPOSITORY, "diff", "--quiet", "HEAD", "--", ".", ":(exclude)results")
    return described[1] if changed is not None and changed[0] == 0 else described[1] + "-dirty"


def fsnn_version():
    source = os.path.join(REPOSITORY, "Sources", "Harness", "FSNNVersion.swift")
    with open(source, encoding="utf-8") as stream:
        found = re.search(r'static let current = "([^"]+)"', stream.read())
    if found is None:
        raise RunError(f"{source}: no `static let current = \"…\"`")
    return found.group(1)


def released_revision(checkout):
    """The checkout's short commit; refuses a checkout whose tracked files were changed."""
    head = git(checkout, "rev-parse", "--short=7", "HEAD")
    if head is None or head[0] != 0:
        raise RunError(f"{checkout}: not a git checkout of pkuxmq/IDE-FSNN (git rev-parse failed); clone it with git "
                       "so that the result can name the revision that ran")
    changed = git(checkout, "diff", "--quiet", "HEAD")
    if changed is None or changed[0] != 0:
        raise RunError(f"{checkout}: tracked files differ from {head[1]} (`git -C {checkout} status`); "
                       "the record is of the released code as it is")
    return head[1]


def cpu_identity():
    """As fsnn's Processor.identity: "model name (family F, model M; AVX2, AVX-512)"."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as stream:
            lines = stream.read().split("\n")
    except OSError:
        return "unknown CPU"

    def field(prefix):
        line = next((line for line in lines if line.startswith(prefix)), None)
        return line.split(":", 1)[1].strip() if line is not None and ":" in line else None

    flags = set((field("flags") or "").split())
    extensions = [name for flag, name in (("avx2", "AVX2"), ("avx512f", "AVX-512"), ("avx512_bf16", "AVX-512 BF16"))
                  if flag in flags]
    details = []
    family, model = field("cpu family"), field("model\t") or field("model ")
    if family is not None and model is not None:
        details.append(f"family {family}, model {model}")
    if extensions:
        details.append(", ".join(extensions))
    name = field("model name") or "unknown CPU"
    return f"{name} ({'; '.join(details)})" if details else name


# MARK: One process per run

class RunLock:
    """flock on `<result>.lock` (fsnn's RunLock: the file holds "pid P on host H since T"); the
    kernel drops it however the process ends, `release` removes the file."""

    def __init__(self, result):
        self.path = result + ".lock"
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        while True:
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                holder = os.read(descriptor, 512).decode("utf-8", "replace").strip()
                os.close(descriptor)
                if error.errno != errno.EWOULDBLOCK:
                    raise
                raise RunError(f"{result}: another process runs it ({holder or 'holder unknown'}; {self.path})") from None
            if os.path.exists(self.path) and os.stat(self.path).st_ino == os.fstat(descriptor).st_ino:
                break
            os.close(descriptor)  # a holder released meanwhile and removed the file this one locks
        self.descriptor = descriptor
        os.ftruncate(descriptor, 0)
        os.write(descriptor, f"pid {os.getpid()} on host {socket.gethostname()} since {now()}\n".encode())

    def release(self):
        os.unlink(self.path)
        os.close(self.descriptor)


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# MARK: Running the released script

class Interrupted(BaseException):
    """SIGINT or SIGTERM, raised where the run is (BaseException: the released code catches none)."""

    def __init__(self, signal_number):
        super().__init__(signal.Signals(signal_number).name)
        self.signal_number = signal_number


class Signals:
    """SIGINT and SIGTERM raise `Interrupted`, except between `hold` and `release`: while an epoch is
    being logged and recorded, where they wait for its end so that log, times and result agree."""

    def __init__(self):
        self.held, self.pending = False, None
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, self._received)

    def _received(self, number, frame):
        if self.held:
            self.pending = number
        else:
            raise Interrupted(number)

    def hold(self):
        self.held = True

    def release(self):
        self.held = False
        if self.pending is not None:
            number, self.pending = self.pending, None
            raise Interrupted(number)


class Progress:
    """Where the run is: epochs finished, the epoch's training batches started, the phase, and the
    times (wall-clock and CPU) and test accuracy of the epoch in progress."""

    def __init__(self):
        self.epochs, self.batches, self.phase = 0, 0, "starting"
        self.training_seconds = self.test_seconds = self.cpu_seconds = self.test_accuracy = 0.0

    def stop_point(self, message):
        epoch = self.epochs + 1
        where = "" if self.phase == "training" else f" ({self.phase})"
        return result_file.StopPoint(epoch, max(0, self.batches - 1), message + where)


class CountedBatches:
    """The training loader as the released `train` iterates it, counting the batches it hands out."""

    def __init__(self, loader, progress):
        self.loader, self.progress = loader, progress

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        for batch in self.loader:
            self.progress.batches += 1
            yield batch


def torch_facts(torch):
    """The framework as the result names it: BLAS library, build and CPU kernels in use."""
    shown = torch.__config__.show()
    blas = re.search(r"BLAS_INFO=([^,\s]+)", shown)
    library = next((line.strip(" -") for line in shown.split("\n") if "Math Kernel Library" in line or "OpenBLAS" in line),
                   "BLAS unknown")
    return (blas.group(1) if blas else "unknown",
            f"PyTorch {torch.__version__}, {library}, CPU capability {torch.backends.cpu.get_cpu_capability()}")


def run(options):
    row = ROWS[options.row]
    checkout = os.path.abspath(options.released)
    data_root = os.path.abspath(options.data_dir)
    result = result_path(options.results, options.row, options.seed)
    work = os.path.abspath(os.path.join(options.runs, TABLE, options.row, REFERENCE_FOLDER, f"seed-{options.seed}"))
    revision = released_revision(checkout)
    lock = RunLock(result)
    try:
        if not prepare(result, work, options):
            return 0
        return train(row, checkout, revision, data_root, work, result, options)
    finally:
        lock.release()


def prepare(result, work, options):
    """Decides from an existing result whether to run; clears the work folder of a previous attempt.
    False when the run is complete already."""
    if os.path.lexists(result) and not options.overwrite:
        try:
            with h5py.File(result, "r") as file:
                status = file["final"].attrs["status"]
                epochs = int(file["config"].attrs["epochs"])
        except Exception as error:  # noqa: BLE001 - any reason it cannot be read is reported
            raise RunError(f"{result}: cannot be read ({error}); --overwrite replaces it") from error
        if status == "complete":
            if epochs == options.epochs:
                print(f"{result}: complete already (--overwrite runs it again)")
                return False
            raise RunError(f"{result}: a complete run of {epochs} epochs is there, this one has {options.epochs}; "
                           "--overwrite replaces it")
        print(f"{result}: {status}; restarting the run from scratch")
    os.makedirs(work, exist_ok=True)
    for name in WORK_FILES:
        path = os.path.join(work, name)
        if os.path.lexists(path):
            os.unlink(path)
    return True


def train(row, checkout, revision, data_root, work, result, options):
    for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(options.threads)
    os.environ.setdefault("MPLBACKEND", "Agg")  # the script plots its log at the end
    import torch
    torch.set_num_threads(options.threads)
    torch.set_num_interop_threads(1)
    import released
    import torchvision_shim

    splits = {(row.dataset, split): idx_data.IDXSplit(data_root, row.dataset, split) for split in ("train", "test")}
    blas_core, blas_config = torch_facts(torch)
    facts = {
        "format": 1, "row": options.row, "seed": options.seed, "epochs": options.epochs, "threads": options.threads,
        "implementation": f"pkuxmq/IDE-FSNN {revision} (released code, CPU PyTorch {torch.__version__})",
        "git_revision": fsnn_revision(), "fsnn_version": fsnn_version(), "blas_core": blas_core,
        "blas_config": blas_config, "cpu": cpu_identity(), "machine_cores": os.cpu_count() or 0, "started": now(),
        "data": {split: {"files": s.files, "checksums": s.checksums, "class_counts": s.class_counts()}
                 for (_, split), s in splits.items()},
    }
    write_json(os.path.join(work, RUN_FACTS), facts)
    with open(os.path.join(work, EPOCH_SECONDS), "w", encoding="ascii"):
        pass

    progress, signals = Progress(), Signals()
    status, stop, code = "complete", None, 0
    torchvision_shim.install(data_root, splits)
    try:
        with released.code(checkout):
            if torch.nn.DataParallel(torch.nn.Identity()).device_ids:
                raise RunError("torch.nn.DataParallel sees a device; the released model would not run on the CPU")
            namespace = load_script(row, checkout, data_root, work, options)
            check_arguments(namespace["args"], row, options.epochs, checkout)
            instrument(namespace, progress, signals, work, options.results)
            rebuild(work, options.results, status="running")
            print(f"run_table1: {options.row} seed {options.seed}, {options.epochs} epochs on {options.threads} "
                  f"thread(s) -> {result}", flush=True)
            namespace["main"]()
        if progress.epochs != options.epochs:
            status, code = "failed", 1
            stop = progress.stop_point(f"the released script ended after {progress.epochs} of {options.epochs} epochs")
    except Interrupted as interruption:
        status, code = "interrupted", 128 + interruption.signal_number
        stop = progress.stop_point(f"stopped by {interruption}")
    except Exception as error:  # noqa: BLE001 - whatever stops the released script fails the run, named
        status, code = "failed", 1
        stop = progress.stop_point("".join(traceback.format_exception_only(type(error), error)).strip().replace("\n", " "))
        traceback.print_exc()
    finally:
        torchvision_shim.uninstall()
    signals.hold()  # a second signal must not cut the last write
    if stop is not None:
        facts["stop"] = {"status": status, "epoch": stop.epoch, "batch": stop.batch, "message": stop.message}
        write_json(os.path.join(work, RUN_FACTS), facts)
    rebuild(work, options.results, status=status, stop=stop)
    print(f"run_table1: {status} after {progress.epochs} epoch(s): {result}" + (f" ({stop.message})" if stop else ""))
    return code


def load_script(row, checkout, data_root, work, options):
    """Executes the released script's module code (its imports and argument parsing) with the
    wrapper's arguments, without running its `main`; returns its namespace."""
    path = os.path.join(checkout, row.script)
    with open(path, encoding="utf-8") as stream:
        code = compile(stream.read(), path, "exec")
    sys.argv = [path] + released_arguments(row, options.seed, options.epochs, data_root, work)
    namespace = {"__name__": "released_" + os.path.splitext(row.script)[0], "__file__": path}
    exec(code, namespace)  # noqa: S102 - the released script, run as it is
    return namespace


def instrument(namespace, progress, signals, work, results):
    """Wraps the script's `train`, `test` and `save_checkpoint` (looked up by its `main` at each
    call): times training and evaluation, counts batches, and after the epoch's checkpoint records
    its time and rewrites the result file."""
    released_train, released_test = namespace["train"], namespace["test"]
    released_save = namespace["save_checkpoint"]

    def train(trainloader, *arguments):
        progress.batches, progress.phase = 0, "training"
        start, cpu = time.perf_counter(), time.process_time()
        outcome = released_train(CountedBatches(trainloader, progress), *arguments)
        progress.training_seconds = time.perf_counter() - start
        progress.cpu_seconds = time.process_time() - cpu
        return outcome

    def test(*arguments):
        progress.phase = "evaluation"
        start, cpu = time.perf_counter(), time.process_time()
        outcome = released_test(*arguments)
        progress.test_seconds = time.perf_counter() - start
        progress.cpu_seconds += time.process_time() - cpu
        signals.hold()  # the script now logs the epoch and saves its checkpoint
        progress.phase = "recording the epoch"
        progress.test_accuracy = outcome[1]
        return outcome

    def save_checkpoint(*arguments, **keywords):
        released_save(*arguments, **keywords)
        seconds = progress.training_seconds + progress.test_seconds
        with open(os.path.join(work, EPOCH_SECONDS), "a", encoding="ascii") as stream:
            stream.write(f"{seconds!r}\n")
            stream.flush()
            os.fsync(stream.fileno())
        progress.epochs += 1
        progress.phase = "between epochs"
        rebuild(work, results, status="running")
        print(f"run_table1: epoch {progress.epochs}: test accuracy {progress.test_accuracy:.2f} %, {seconds:.1f} s "
              f"(training {progress.training_seconds:.1f} s; {progress.cpu_seconds:.1f} s of CPU)", flush=True)
        signals.release()

    namespace.update(train=train, test=test, save_checkpoint=save_checkpoint)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--released", help="checkout of pkuxmq/IDE-FSNN (git)")
    parser.add_argument("--row", choices=sorted(ROWS))
    parser.add_argument("--seed", type=int, help="the released --manualSeed")
    parser.add_argument("--epochs", type=int, default=PAPER_ARGUMENTS["epochs"],
                        help="default 100, the paper's; any other number makes a smoke run")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--results", default="results", help="results root (default results)")
    parser.add_argument("--runs", default="runs", help="root of the work folders (default runs)")
    parser.add_argument("--data-dir", default=os.environ.get("FSNN_DATA") or "data",
                        help="fsnn's data root (default $FSNN_DATA, else ./data)")
    parser.add_argument("--overwrite", action="store_true", help="run again over a complete result")
    parser.add_argument("--from-log", metavar="LOG", help="rebuild the result file from a work folder's log.txt")
    options = parser.parse_args()
    try:
        if options.from_log:
            given = [name for name in ("released", "row", "seed") if getattr(options, name) is not None]
            if given:
                parser.error(f"--from-log takes the run from the work folder; drop --{', --'.join(given)}")
            if os.path.basename(options.from_log) != LOG:
                parser.error(f"--from-log takes a work folder's {LOG}, not {options.from_log}")
            path = rebuild(os.path.dirname(os.path.abspath(options.from_log)), options.results)
            print(path)
            return 0
        missing = [name for name in ("released", "row", "seed") if getattr(options, name) is None]
        if missing:
            parser.error(f"--{', --'.join(missing)} required (or --from-log)")
        if options.epochs < 1 or options.threads < 1 or options.seed < 0:
            parser.error("--epochs and --threads must be positive, --seed non-negative")
        return run(options)
    except (RunError, ArgumentsError, WorkFolderError, ReleasedLogError, result_file.ResultFileError,
            idx_data.IDXError) as error:
        print(f"run_table1: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
