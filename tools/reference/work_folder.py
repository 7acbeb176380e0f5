"""A reference run's work folder, and the result file rebuilt from it.

The folder `<runs>/table1/<row>/reference/seed-<k>/` is the released script's `--checkpoint` folder:
it holds the script's `log.txt` (released_log.py) and checkpoints, and the wrapper's

* `run.json`: the run's facts, recorded when it starts: `format` (1), `row`, `seed`, `epochs`,
  `threads`, `implementation`, `git_revision` and `fsnn_version` (of the wrapper's checkout),
  `blas_core`, `blas_config`, `cpu`, `machine_cores`, `started`, and `data.train` / `data.test`
  with `files`, `checksums` and `class_counts` of what was read; and, once it ended otherwise than
  complete, `stop`: `status` (failed | interrupted), `epoch`, `batch`, `message`;
* `epoch-seconds.txt`: the wall-clock seconds of each finished epoch's training and evaluation.

`rebuild` writes the result file from these alone (numpy and h5py; no torch), after every epoch of
a run and for `run_table1.py --from-log`.
"""

import json
import math
import os

import h5py

import result_file
from released_log import read_released_log
from table1_rows import ROWS, TABLE, CLASSES, experiment_text, profile, result_path, settings

RUN_FACTS = "run.json"
EPOCH_SECONDS = "epoch-seconds.txt"
LOG = "log.txt"
# Files of a work folder that a restart removes: the wrapper's and the released script's.
WORK_FILES = (RUN_FACTS, EPOCH_SECONDS, LOG, "checkpoint.pth.tar", "model_best.pth.tar", "log.eps")


class WorkFolderError(Exception):
    pass


def read_facts(path):
    """run.json, checked: every key a result file needs, of its type."""
    try:
        with open(path, encoding="utf-8") as stream:
            facts = json.load(stream)
    except (OSError, ValueError) as error:
        raise WorkFolderError(f"{path}: cannot be read as JSON: {error}") from error
    expected = {"format": int, "row": str, "seed": int, "epochs": int, "threads": int, "implementation": str,
                "git_revision": str, "fsnn_version": str, "blas_core": str, "blas_config": str, "cpu": str,
                "machine_cores": int, "started": str, "data": dict}
    for key, kind in expected.items():
        if not isinstance(facts.get(key), kind) or isinstance(facts.get(key), bool):
            raise WorkFolderError(f"{path}: '{key}' is {facts.get(key)!r}, not of type {kind.__name__}")
    if facts["format"] != 1:
        raise WorkFolderError(f"{path}: format {facts['format']}, this tool reads 1")
    if facts["row"] not in ROWS:
        raise WorkFolderError(f"{path}: row '{facts['row']}' is no Table 1 row ({', '.join(ROWS)})")
    for split in ("train", "test"):
        data = facts["data"].get(split)
        if not (isinstance(data, dict) and all(isinstance(data.get(k), list) for k in ("files", "checksums", "class_counts"))
                and len(data["files"]) == len(data["checksums"]) and len(data["class_counts"]) == CLASSES):
            raise WorkFolderError(f"{path}: data.{split} needs files, checksums (as many) and class_counts ({CLASSES})")
    stop = facts.get("stop")
    if stop is not None and not (isinstance(stop, dict) and stop.get("status") in ("failed", "interrupted")
                                 and all(isinstance(stop.get(k), int) for k in ("epoch", "batch"))
                                 and isinstance(stop.get("message"), str)):
        raise WorkFolderError(f"{path}: 'stop' is {stop!r}, expected status failed|interrupted, epoch, batch, message")
    return facts


def write_json(path, value):
    """Writes `value` as JSON atomically (temporary file, fsync, rename)."""
    temporary = f"{path}.tmp-{os.getpid()}"
    with open(temporary, "w", encoding="utf-8") as stream:
        json.dump(value, stream, indent=1, ensure_ascii=False)
        stream.write("\n")
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path)


def read_epoch_seconds(path, count):
    """The first `count` lines of epoch-seconds.txt, one wall-clock time per epoch."""
    try:
        with open(path, encoding="ascii") as stream:
            lines = stream.read().split("\n")
    except (OSError, UnicodeDecodeError) as error:
        raise WorkFolderError(f"{path}: cannot be read: {error}") from error
    if lines[-1] != "":
        raise WorkFolderError(f"{path}: the last line has no newline (cut mid-line)")
    values = []
    for number, line in enumerate(lines[:-1], start=1):
        try:
            value = float(line)
        except ValueError:
            raise WorkFolderError(f"{path}:{number}: {line!r} is not a number of seconds") from None
        if not (math.isfinite(value) and value >= 0):
            raise WorkFolderError(f"{path}:{number}: {value} seconds")
        values.append(value)
    if len(values) != count:
        raise WorkFolderError(f"{path}: {len(values)} epoch times for the {count} epochs of the log beside it")
    return values


def rebuild(work, results, status=None, stop=None):
    """Writes the result file of the run in `work` from its log, epoch times and facts; returns its
    path. Without `status`: complete when every epoch is logged, else as run.json says it stopped,
    else running."""
    facts = read_facts(os.path.join(work, RUN_FACTS))
    log = os.path.join(work, LOG)
    # Until the script has opened its log and written the header, no epoch has finished.
    epochs = read_released_log(log) if os.path.lexists(log) and os.path.getsize(log) > 0 else []
    if len(epochs) > facts["epochs"]:
        raise WorkFolderError(f"{log}: {len(epochs)} epochs logged, the run had {facts['epochs']}")
    seconds = read_epoch_seconds(os.path.join(work, EPOCH_SECONDS), len(epochs))
    if status is None:
        recorded = facts.get("stop")
        if len(epochs) == facts["epochs"]:
            status = "complete"
        elif recorded is not None:
            status = recorded["status"]
            stop = result_file.StopPoint(recorded["epoch"], recorded["batch"], recorded["message"])
        else:
            status = "running"
    row = ROWS[facts["row"]]
    data = facts["data"]
    provenance = [
        ("git_revision", facts["git_revision"]), ("fsnn_version", facts["fsnn_version"]),
        ("dataset_used", row.dataset), ("train_samples", sum(data["train"]["class_counts"])),
        ("test_samples", sum(data["test"]["class_counts"])),
        ("train_selection", "all"), ("train_class_counts", data["train"]["class_counts"]),
        ("test_selection", "all"), ("test_class_counts", data["test"]["class_counts"]),
        ("data_files", data["train"]["files"] + data["test"]["files"]),
        ("data_checksums", data["train"]["checksums"] + data["test"]["checksums"]),
        ("hdf5_version", h5py.version.hdf5_version), ("blas_core", facts["blas_core"]),
        ("blas_config", facts["blas_config"]), ("machine_cores", facts["machine_cores"]),
        ("blas_threads", facts["threads"]), ("worker_threads", facts["threads"]), ("started", facts["started"]),
        ("cpu", facts["cpu"]),
    ]
    record = result_file.ReferenceRecord(
        table=TABLE, row=facts["row"], label=row.label, profile=profile(facts["epochs"]), seed=facts["seed"],
        settings=settings(row, facts["epochs"]), experiment_text=experiment_text(row, facts["seed"], facts["epochs"]),
        provenance=provenance, implementation=facts["implementation"], layers=["hidden"], epochs=epochs,
        seconds=seconds, status=status, stop=stop)
    path = result_path(results, facts["row"], facts["seed"])
    result_file.write(record, path)
    return path
