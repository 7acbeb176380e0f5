"""MNIST and Fashion-MNIST as fsnn keeps them under its data root, read with numpy alone.

`<data root>/mnist/` and `<data root>/fashion-mnist/` hold the four IDX files, each raw or gzipped
(fsnn prefers the raw file when both are there, and so does this module). What fsnn records of the
files it read, this module computes the same way: the path relative to the data root and the md5 of
the content, decompressed for a `.gz` file (`md5:<hex>`), so that a reference run's result file
names the same bytes as an fsnn run's.
"""

import gzip
import hashlib
import os

import numpy as np

# fsnn's dataset names (the `dataset` setting) and their folders under the data root.
FOLDERS = {"mnist": "mnist", "fashion-mnist": "fashion-mnist"}

# The canonical IDX file names of a split: images, labels.
SPLIT_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
               "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}

CLASSES = 10


class IDXError(Exception):
    """A missing, unreadable or malformed IDX file; the message names the file."""


class IDXSplit:
    """One split of a dataset: `images` uint8 [N, 28, 28], `labels` uint8 [N] in 0…9, and the two
    files they came from (`files`: paths relative to the data root, `checksums`: `md5:<hex>` of the
    decompressed content)."""

    def __init__(self, root, dataset, split):
        if dataset not in FOLDERS:
            raise IDXError(f"unknown dataset '{dataset}' (known: {', '.join(FOLDERS)})")
        images_name, labels_name = SPLIT_FILES[split]
        images, images_file, images_md5 = _read(root, FOLDERS[dataset], images_name, rank=3)
        labels, labels_file, labels_md5 = _read(root, FOLDERS[dataset], labels_name, rank=1)
        if images.shape[1:] != (28, 28):
            raise IDXError(f"{images_file}: images are {images.shape[1]}×{images.shape[2]}, expected 28×28")
        if labels.shape[0] != images.shape[0]:
            raise IDXError(f"{labels_file}: {labels.shape[0]} labels for the {images.shape[0]} images of {images_file}")
        if labels.size and labels.max() >= CLASSES:
            raise IDXError(f"{labels_file}: label {int(labels.max())} is outside 0…{CLASSES - 1}")
        self.images = images
        self.labels = labels
        self.files = [images_file, labels_file]
        self.checksums = [images_md5, labels_md5]

    def class_counts(self):
        """Samples per label 0…9."""
        return [int(count) for count in np.bincount(self.labels, minlength=CLASSES)]


def _read(root, folder, name, rank):
    """The unsigned-byte IDX array `<root>/<folder>/<name>` (or `<name>.gz`), its path relative to the
    root and the md5 of its content."""
    relative = next((f"{folder}/{candidate}" for candidate in (name, name + ".gz")
                     if os.path.lexists(os.path.join(root, folder, candidate))), None)
    if relative is None:
        raise IDXError(f"{os.path.join(root, folder, name)}: no such file (nor {name}.gz); "
                       "`make data` links fsnn's datasets into ./data")
    path = os.path.join(root, relative)
    if not os.path.isfile(path):
        raise IDXError(f"{path}: not a regular file")
    try:
        with (gzip.open(path, "rb") if relative.endswith(".gz") else open(path, "rb")) as stream:
            content = stream.read()
    except (OSError, EOFError) as error:
        raise IDXError(f"{path}: cannot be read: {error}") from error
    header = 4 + 4 * rank
    if len(content) < header:
        raise IDXError(f"{path}: {len(content)} bytes, shorter than the {header}-byte IDX header")
    magic = int.from_bytes(content[0:4], "big")
    if magic != 0x0800 + rank:
        raise IDXError(f"{path}: magic number 0x{magic:08x}, expected 0x{0x0800 + rank:08x} "
                       f"(unsigned bytes, {rank} dimensions)")
    shape = tuple(int.from_bytes(content[4 + 4 * i:8 + 4 * i], "big") for i in range(rank))
    expected = header + int(np.prod(shape, dtype=np.int64))
    if len(content) != expected:
        raise IDXError(f"{path}: {len(content)} bytes, its header {list(shape)} needs {expected}")
    array = np.frombuffer(content, dtype=np.uint8, offset=header).reshape(shape)
    return array, relative, "md5:" + hashlib.md5(content).hexdigest()
