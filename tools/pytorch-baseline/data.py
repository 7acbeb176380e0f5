"""The datasets fsnn reads, read the way fsnn reads them (same files, same splits, same values).

* Data root: an explicit folder, else $FSNN_DATA, else the repository's data/ (`make data`).
* MNIST and Fashion-MNIST: the four IDX files under <root>/mnist or <root>/fashion-mnist, the
  uncompressed file preferred to its .gz (as fsnn's DatasetCatalog.locate does).
* CIFAR-10: <root>/cifar10/data_batch_1..5.bin (train) and test_batch.bin (or the same names under
  cifar-10-batches-bin/); records <1 label byte><1024 R><1024 G><1024 B>.
* cifar10-subset: <root>/cifar10/convnetjs_train_0000-3999.bin, split as fsnn's
  DatasetCatalog.subsetTestMask: in file order every 8th image of each class is a test image.
* Values: (byte / 255 - mean[c]) / std[c] in float32 through a 256-entry table per channel, as
  fsnn's ChannelNormalization computes them (spec §7: MNIST constants for both MNIST datasets,
  the CIFAR constants for CIFAR). No augmentation.
* N-MNIST: <root>/nmnist/{Train,Test}/<label 0…9>/<id>.bin, samples ordered by label, then by file
  name (fsnn's EventFrameSplit); each file's 5-byte events encoded as fsnn's NMNISTEncoding.tsslbp
  with the last frame empty (spec §8.4, §12.8: saccade stabilisation in float64 with MATLAB's
  rounding, 3 ms bins b = ceil(t / 3000 µs), bins 1…T−1 to frames 0…T−2, binary) into frames
  [T, 2, 34, 34] (polarity, sensor x, sensor y).
"""
import gzip
import os

import numpy as np

REPOSITORY_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data")
IDX_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
             "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
CIFAR_SUBSET_FILE = "convnetjs_train_0000-3999.bin"
CIFAR_RECORD = 1 + 3 * 32 * 32
MNIST_NORMALISATION = ((0.1307,), (0.3081,))
CIFAR_NORMALISATION = ((0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010))
DATASETS = ("mnist", "fashion-mnist", "cifar10", "cifar10-subset", "nmnist")
NMNIST_SPLITS = {"train": "Train", "test": "Test"}
NMNIST_SIDE = 34                 # sensor width and height
NMNIST_BIN_US = 3000             # the TSSL-BP converter's time bin
SACCADE_US = 105_000.0           # saccade duration S of the stabilisation


class DataError(Exception):
    """A dataset file that is missing or not in the expected format; names the file."""


def data_root(folder=None):
    return folder or os.environ.get("FSNN_DATA") or REPOSITORY_DATA


def _first_existing(paths):
    for path in paths:
        if os.path.isfile(path):
            return path
    raise DataError("none of " + ", ".join(paths) + " exists")


def _read(path):
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as handle:
        return handle.read()


def read_idx(path, rank):
    """IDX file (raw or gzip-compressed) of unsigned bytes -> numpy uint8 array of that rank."""
    raw = _read(path)
    if len(raw) < 4 + 4 * rank or raw[:3] != b"\x00\x00\x08" or raw[3] != rank:
        raise DataError(f"{path}: not an IDX file of unsigned bytes with rank {rank}")
    dims = [int(d) for d in np.frombuffer(raw, dtype=">u4", count=rank, offset=4)]
    if len(raw) - 4 - 4 * rank != int(np.prod(dims)):
        raise DataError(f"{path}: {len(raw) - 4 - 4 * rank} data bytes for dimensions {dims}")
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def _idx_split(folder, split):
    images, labels = (_first_existing([os.path.join(folder, name), os.path.join(folder, name + ".gz")])
                      for name in IDX_FILES[split])
    x, y = read_idx(images, 3), read_idx(labels, 1)
    if x.shape[1:] != (28, 28) or len(x) != len(y):
        raise DataError(f"{images}, {labels}: {x.shape} images for {len(y)} labels (want N x 28 x 28)")
    return x[:, None], y


def _cifar_records(paths):
    raw = b"".join(_read(path) for path in paths)
    if len(raw) == 0 or len(raw) % CIFAR_RECORD:
        raise DataError(f"{', '.join(paths)}: {len(raw)} bytes are not whole {CIFAR_RECORD}-byte CIFAR records")
    records = np.frombuffer(raw, dtype=np.uint8).reshape(-1, CIFAR_RECORD)
    labels = records[:, 0]
    if labels.max() >= 10:
        raise DataError(f"{', '.join(paths)}: label {labels.max()} out of range 0...9")
    return records[:, 1:].reshape(-1, 3, 32, 32), labels


def subset_test_mask(labels):
    """fsnn's cifar10-subset rule: the 8th, 16th, ... image of each class (file order) is a test image."""
    seen = {}
    mask = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        mask.append(seen[label] % 8 == 0)
    return np.array(mask)


def nmnist_files(split, root=None):
    """[(path, label)] of an N-MNIST split in fsnn's sample order; fsnn's layout rules."""
    folder = os.path.join(data_root(root), "nmnist", NMNIST_SPLITS[split])
    visible = lambda path: sorted(name for name in os.listdir(path) if not name.startswith("."))
    if not os.path.isdir(folder):
        raise DataError(f"{folder}: no N-MNIST split folder (layout: <split>/<label 0…9>/<id>.bin)")
    if extra := [name for name in visible(folder) if name not in [str(label) for label in range(10)]]:
        raise DataError(f"{os.path.join(folder, extra[0])}: not a label folder 0…9")
    files = []
    for label in range(10):
        names = visible(os.path.join(folder, str(label))) if os.path.isdir(os.path.join(folder, str(label))) else []
        if not names:
            raise DataError(f"{os.path.join(folder, str(label))}: missing or without .bin samples")
        for name in names:
            if not name.endswith(".bin"):
                raise DataError(f"{os.path.join(folder, str(label), name)}: not a .bin sample file")
            files.append((os.path.join(folder, str(label), name), label))
    return files


def nmnist_events(path):
    """(x, y, polarity, timestamp µs) int64 arrays of one .bin file: 5-byte big-endian events
    x (8 bits), y (8 bits), polarity (1 bit), timestamp (23 bits), as fsnn's NMNISTEvent.decode checks them."""
    raw = _read(path)
    if len(raw) == 0 or len(raw) % 5:
        raise DataError(f"{path}: {len(raw)} bytes are not whole 5-byte events")
    e = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 5).astype(np.int64)
    x, y, polarity = e[:, 0], e[:, 1], e[:, 2] >> 7
    t = (e[:, 2] & 0x7F) << 16 | e[:, 3] << 8 | e[:, 4]
    if (x >= NMNIST_SIDE).any() or (y >= NMNIST_SIDE).any():
        raise DataError(f"{path}: an event address outside {NMNIST_SIDE}×{NMNIST_SIDE}")
    if (np.diff(t) < 0).any():
        raise DataError(f"{path}: timestamps decrease")
    return x, y, polarity, t


def _round_half_away(v):
    """MATLAB's round (halves away from zero), exact: v − trunc(v) is exact in floating point."""
    whole = np.trunc(v)
    return (whole + np.sign(v) * (np.abs(v - whole) >= 0.5)).astype(np.int64)


def nmnist_frames(events, time_steps):
    """uint8 [T, 2, 34, 34] frames of one sample, the last frame empty (spec §8.4, §12.8)."""
    x, y, polarity, t = events
    bins = (t + NMNIST_BIN_US - 1) // NMNIST_BIN_US
    s, tf = SACCADE_US, t.astype(np.float64)
    column, row = (x + 1).astype(np.float64), (y + 1).astype(np.float64)
    first, second = tf <= s, (tf > s) & (tf <= 2 * s)         # else the third, horizontal saccade
    column = np.where(first, column - 3.5 * tf / s,
                      np.where(second, column - 3.5 - 3.5 * (tf - s) / s, column - 7 + 7 * (tf - 2 * s) / s))
    row = np.where(first, row - 7 * tf / s, np.where(second, row - 7 + 7 * (tf - s) / s, row))
    column, row = _round_half_away(column), _round_half_away(row)
    keep = ((bins >= 1) & (bins <= time_steps - 1) & (column >= 1) & (column <= NMNIST_SIDE)
            & (row >= 1) & (row <= NMNIST_SIDE))
    frames = np.zeros((time_steps, 2, NMNIST_SIDE, NMNIST_SIDE), dtype=np.uint8)
    frames[bins[keep] - 1, polarity[keep], column[keep] - 1, row[keep] - 1] = 1
    return frames


def load_nmnist(split, root=None, time_steps=30):
    """(frames uint8 [N, T, 2, 34, 34], labels int64 [N]) of an N-MNIST split, as fsnn reads it."""
    files = nmnist_files(split, root)
    frames = np.stack([nmnist_frames(nmnist_events(path), time_steps) for path, _ in files])
    return frames, np.array([label for _, label in files], dtype=np.int64)


def split_size(dataset, split, root=None):
    """The number of samples of one split."""
    if dataset == "nmnist":
        return len(nmnist_files(split, root))
    return len(read_bytes(dataset, split, root)[1])


def read_bytes(dataset, split, root=None):
    """(pixel bytes [N, C, H, W] uint8, labels [N] uint8, normalisation) of one split."""
    root = data_root(root)
    if dataset in ("mnist", "fashion-mnist"):
        return (*_idx_split(os.path.join(root, dataset), split), MNIST_NORMALISATION)
    folder = os.path.join(root, "cifar10")
    if dataset == "cifar10":
        names = [f"data_batch_{i}.bin" for i in range(1, 6)] if split == "train" else ["test_batch.bin"]
        paths = [_first_existing([os.path.join(folder, n), os.path.join(folder, "cifar-10-batches-bin", n)])
                 for n in names]
        return (*_cifar_records(paths), CIFAR_NORMALISATION)
    if dataset == "cifar10-subset":
        x, y = _cifar_records([_first_existing([os.path.join(folder, CIFAR_SUBSET_FILE)])])
        keep = subset_test_mask(y.tolist()) == (split == "test")
        return x[keep], y[keep], CIFAR_NORMALISATION
    raise DataError(f"unknown dataset '{dataset}' (known: {', '.join(DATASETS)})")


def normalise(pixels, normalisation):
    """float32 (byte / 255 - mean[c]) / std[c], from a per-channel table of the 256 byte values."""
    mean, std = (np.array(v, dtype=np.float32) for v in normalisation)
    levels = (np.arange(256, dtype=np.float32)[None, :] / np.float32(255) - mean[:, None]) / std[:, None]
    channels = np.arange(pixels.shape[1]).reshape(1, -1, 1, 1)
    return levels[channels, pixels]


def load(dataset, split, root=None):
    """(images float32 [N, C, H, W], labels int64 [N]) of one split, normalised as fsnn does."""
    pixels, labels, normalisation = read_bytes(dataset, split, root)
    return normalise(pixels, normalisation), labels.astype(np.int64)
