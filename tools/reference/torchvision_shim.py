"""The few torchvision pieces the released Table 1 scripts use, on fsnn's data files.

The released fashionmnist_fc.py and mnist_conv.py build their data with torchvision:
`datasets.FashionMNIST` / `datasets.MNIST(root, train, download, transform)` and
`transforms.Compose([ToTensor(), Normalize((0.1307,), (0.3081,))])`; their `utils` package imports
`torchvision` and `torchvision.transforms` as well. No torchvision is installed here: the one on the
package registry is built against CUDA torch and fails to import beside the CPU wheel ("operator
torchvision::nms does not exist"), and it would read its own folder layout (`<root>/FashionMNIST/raw/`)
and try to download the data. So `install` puts three modules of this file's making under those
names in `sys.modules` for the run, and the scripts get:

* datasets holding the `idx_data.IDXSplit`s the wrapper read from fsnn's data root (and recorded
  with their checksums), `data` uint8 [N, 28, 28], `targets` int64 [N]; `dataset[i]` is
  `(transform(image), int(label))` with the image a uint8 tensor [28, 28], as torchvision's gives
  (its image is a PIL image of the same bytes);
* `ToTensor`: uint8 [H, W] to float32 [1, H, W] divided by 255, and `Normalize`: (x − mean) / std
  with mean and std as float32 tensors, in place on a copy: the operations, in the order and
  precision, of torchvision's `to_tensor` and `normalize`, so the batches hold the same bits.

Anything else of torchvision is absent, and the released code would fail naming it.
"""

import os
import sys
import types

import torch
import torch.utils.data

_NAMES = ("torchvision", "torchvision.datasets", "torchvision.transforms")


class ShimError(Exception):
    pass


class Compose:
    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, image):
        for transform in self.transforms:
            image = transform(image)
        return image


class ToTensor:
    """A uint8 image [H, W] as float32 [1, H, W] in [0, 1]."""

    def __call__(self, image):
        if not (isinstance(image, torch.Tensor) and image.dtype == torch.uint8 and image.dim() == 2):
            raise ShimError(f"ToTensor of fsnn's torchvision shim takes a uint8 image [H, W], got {type(image).__name__}")
        return image.unsqueeze(0).contiguous().to(dtype=torch.get_default_dtype()).div(255)


class Normalize:
    """(x − mean[c]) / std[c] per channel c of a float tensor [C, H, W]."""

    def __init__(self, mean, std, inplace=False):
        self.mean, self.std, self.inplace = mean, std, inplace

    def __call__(self, tensor):
        if not self.inplace:
            tensor = tensor.clone()
        mean = torch.as_tensor(self.mean, dtype=tensor.dtype).view(-1, 1, 1)
        std = torch.as_tensor(self.std, dtype=tensor.dtype).view(-1, 1, 1)
        return tensor.sub_(mean).div_(std)


class _IDXDataset(torch.utils.data.Dataset):
    """One split of the dataset named by the subclass, from the splits given to `install`."""

    dataset = None  # fsnn's dataset name
    splits = {}  # (dataset, "train" | "test") -> IDXSplit, set by install
    data_root = None

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        if os.path.realpath(root) != os.path.realpath(self.data_root):
            raise ShimError(f"{type(self).__name__}(root={root!r}): the shim serves the data root {self.data_root}")
        split = self.splits.get((self.dataset, "train" if train else "test"))
        if split is None:
            raise ShimError(f"{type(self).__name__}: the wrapper did not read {self.dataset} "
                            f"{'train' if train else 'test'} data")
        self.data = torch.from_numpy(split.images.copy())
        self.targets = torch.from_numpy(split.labels.astype("int64"))
        self.transform, self.target_transform = transform, target_transform

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        image, target = self.data[index], int(self.targets[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target


class MNIST(_IDXDataset):
    dataset = "mnist"


class FashionMNIST(_IDXDataset):
    dataset = "fashion-mnist"


def install(data_root, splits):
    """Registers the shim as `torchvision`, serving `splits` ({(dataset, split): IDXSplit}) read
    from `data_root`. Refuses when a torchvision is already imported."""
    present = [name for name in _NAMES if name in sys.modules]
    if present:
        raise ShimError(f"{', '.join(present)} already imported; the shim would not be the torchvision the "
                        "released code uses")
    _IDXDataset.splits = dict(splits)
    _IDXDataset.data_root = data_root
    root = types.ModuleType("torchvision", "fsnn's stand-in for torchvision (tools/reference/torchvision_shim.py)")
    root.__path__ = []  # a package, so that `import torchvision.transforms` resolves in sys.modules
    root.datasets = types.ModuleType("torchvision.datasets")
    root.datasets.MNIST, root.datasets.FashionMNIST = MNIST, FashionMNIST
    root.transforms = types.ModuleType("torchvision.transforms")
    root.transforms.Compose, root.transforms.ToTensor, root.transforms.Normalize = Compose, ToTensor, Normalize
    sys.modules.update({"torchvision": root, "torchvision.datasets": root.datasets,
                        "torchvision.transforms": root.transforms})


def uninstall():
    for name in _NAMES:
        sys.modules.pop(name, None)
