"""fsnn's result file (docs/results-layout.md) for a run of another implementation, written with h5py.

fsnn's own writer is Sources/Harness/Results/ResultStore.swift; this module writes the same layout,
which `ResultStore.read` reads, with what a run of the released reference code has to give:

* `/config`: the run (`table`, `row`, `label`, `profile`, `seed`), its settings under fsnn's keys,
  fsnn's provenance attributes, and `implementation`, which names the code that ran (its absence
  means fsnn). `/config/experiment_yaml` holds what was run.
* `/epochs`: per epoch the learning rate, training and test loss and accuracy, and seconds; the
  quantities the released scripts do not report (solver statistics, firing rates) are NaN.
* `/memory` (empty), `/convergence` (empty), `/final`; no `/rates`, no `/predictions`.

Integrity as fsnn writes it: numeric datasets with elements are chunked with the Fletcher32
checksum, the scalar string dataset is compact with its `sha256` attribute, groups and objects track
creation order. The file is written beside its path as `<path>.tmp-<pid>`, fsynced and renamed, so a
reader never sees a partial file. Needs numpy and h5py only (Debian's python3-h5py, `make setup`).
"""

import hashlib
import math
import os
import socket

import h5py
import numpy as np

LAYOUT_VERSION = 1

# HDF5 1.10 (Debian's, which fsnn links) must read the file whichever HDF5 h5py brings.
_LIBRARY_VERSIONS = ("earliest", "v110")
_CREATION_ORDER = h5py.h5p.CRT_ORDER_TRACKED | h5py.h5p.CRT_ORDER_INDEXED
_CHUNK_ELEMENTS = 65_536
_STATUSES = ("running", "complete", "failed", "interrupted")


class ResultFileError(Exception):
    pass


class StopPoint:
    """Where a failed or interrupted run stopped: epoch (1-based), batch (0-based), why."""

    def __init__(self, epoch, batch, message):
        self.epoch, self.batch, self.message = int(epoch), int(batch), str(message)


class ReferenceRecord:
    """Everything the file holds. `settings` and `provenance` are lists of (name, value) in the
    order they are written; values are str, int, float, or lists of str or int. `epochs` are
    `released_log.LoggedEpoch`s, `seconds` one float per epoch."""

    def __init__(self, table, row, label, profile, seed, settings, experiment_text, provenance, implementation,
                 layers, epochs, seconds, status, stop=None):
        if len(seconds) != len(epochs):
            raise ResultFileError(f"{len(seconds)} epoch times for {len(epochs)} epochs")
        if status not in _STATUSES:
            raise ResultFileError(f"unknown status '{status}'")
        if (stop is not None) != (status in ("failed", "interrupted")):
            raise ResultFileError(f"status '{status}' {'needs' if stop is None else 'has no'} stop point")
        self.table, self.row, self.label, self.profile, self.seed = table, row, label, profile, int(seed)
        self.settings, self.experiment_text, self.provenance = settings, experiment_text, provenance
        self.implementation, self.layers = implementation, layers
        self.epochs, self.seconds, self.status, self.stop = epochs, seconds, status, stop


def write(record, path):
    """Writes `record` to `path` atomically, creating its folder."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    if os.path.lexists(path) and not (os.path.isfile(path) or os.path.islink(path)):
        raise ResultFileError(f"{path}: exists and is not a regular file; not replaced")
    temporary = f"{path}.tmp-{os.getpid()}"
    try:
        with h5py.File(temporary, "w", track_order=True, libver=_LIBRARY_VERSIONS) as file:
            _fill(file, record)
        with open(temporary, "rb") as stream:
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.lexists(temporary):
            os.unlink(temporary)
        raise
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _fill(file, record):
    file.attrs["layout_version"] = np.int64(LAYOUT_VERSION)

    config = file.create_group("config", track_order=True)
    identity = [("table", record.table), ("row", record.row), ("label", record.label),
                ("profile", record.profile), ("seed", record.seed)]
    for name, value in identity + record.settings + record.provenance + [("implementation", record.implementation)]:
        _set_attribute(config, name, value)
    _write_string(config, "experiment_yaml", record.experiment_text)

    epochs = file.create_group("epochs", track_order=True)
    _set_attribute(epochs, "layers", record.layers)
    count = len(record.epochs)
    nan = [math.nan] * count
    columns = [
        ("epoch", np.arange(1, count + 1, dtype=np.int64)),
        ("train_loss", [e.train_loss for e in record.epochs]), ("train_acc", [e.train_accuracy for e in record.epochs]),
        ("test_loss", [e.test_loss for e in record.epochs]), ("test_acc", [e.test_accuracy for e in record.epochs]),
        ("lr", [e.learning_rate for e in record.epochs]), ("seconds", record.seconds),
        ("solver_iterations", nan), ("solver_relative_residual_mean", nan), ("solver_relative_residual_max", nan),
        ("mean_firing_rate", nan),
    ]
    for name, values in columns:
        _write_numbers(epochs, name, np.asarray(values, dtype=np.int64 if name == "epoch" else np.float64))
    _write_numbers(epochs, "layer_firing_rate", np.full((count, len(record.layers)), math.nan))

    memory = file.create_group("memory", track_order=True)
    _write_numbers(memory, "peak_bytes", np.zeros(0, dtype=np.int64))
    _write_numbers(memory, "transient_bytes", np.zeros(0, dtype=np.int64))
    memory.attrs["unit"] = "bytes"
    file.create_group("convergence", track_order=True)

    final = file.create_group("final", track_order=True)
    final.attrs["status"] = record.status
    final.attrs["epochs_completed"] = np.int64(count)
    accuracies = [e.test_accuracy for e in record.epochs]
    if accuracies:
        best = max(range(count), key=lambda i: (accuracies[i], -i))  # the first epoch of the highest
        final.attrs["best_test_acc"] = np.float64(accuracies[best])
        final.attrs["best_epoch"] = np.int64(best + 1)
        final.attrs["last_test_acc"] = np.float64(accuracies[-1])
    if record.stop is not None:
        final.attrs["stop_epoch"] = np.int64(record.stop.epoch)
        final.attrs["stop_batch"] = np.int64(record.stop.batch)
        final.attrs["stop_message"] = record.stop.message
    final.attrs["host"] = socket.gethostname()


def _set_attribute(group, name, value):
    """Strings as variable-length UTF-8, integers int64, floats float64, lists as 1-d arrays."""
    if isinstance(value, str):
        group.attrs[name] = value
    elif isinstance(value, bool):
        raise ResultFileError(f"/{group.name.strip('/')}@{name}: a boolean; fsnn stores flags as 0/1")
    elif isinstance(value, int):
        group.attrs[name] = np.int64(value)
    elif isinstance(value, float):
        group.attrs[name] = np.float64(value)
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        group.attrs.create(name, np.array(value, dtype=h5py.string_dtype()))
    elif isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        group.attrs.create(name, np.array(value, dtype=np.int64))
    else:
        raise ResultFileError(f"/{group.name.strip('/')}@{name}: cannot store {value!r}")


def _write_numbers(group, name, values):
    """A numeric dataset: chunked with Fletcher32 when it has elements (fsnn's rule: at most 64 Ki
    elements per chunk along the first axis), contiguous when empty."""
    if values.size == 0:
        group.create_dataset(name, shape=values.shape, dtype=values.dtype, track_order=True)
        return
    inner = int(np.prod(values.shape[1:], dtype=np.int64))
    chunks = (max(1, min(values.shape[0], _CHUNK_ELEMENTS // max(1, inner))),) + values.shape[1:]
    group.create_dataset(name, data=values, chunks=chunks, fletcher32=True, track_order=True)


def _write_string(group, name, text):
    """A scalar UTF-8 string dataset stored compact, with attribute `sha256`: the SHA-256 of its
    UTF-8 bytes followed by a NUL byte (fsnn's digest of string datasets)."""
    properties = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    properties.set_layout(h5py.h5d.COMPACT)
    properties.set_attr_creation_order(_CREATION_ORDER)
    string_type = h5py.h5t.py_create(h5py.string_dtype(), logical=True)
    dataset = h5py.Dataset(h5py.h5d.create(group.id, name.encode(), string_type, h5py.h5s.create(h5py.h5s.SCALAR),
                                           dcpl=properties))
    dataset[()] = text
    dataset.attrs["sha256"] = hashlib.sha256(text.encode("utf-8") + b"\0").hexdigest()
