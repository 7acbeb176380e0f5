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
DATASETS = ("mnist", "fashion-mnist", "cifar10", "cifar10-subset")


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
