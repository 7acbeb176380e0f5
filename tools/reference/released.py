"""The released IDE-FSNN code (pkuxmq/IDE-FSNN), imported from the user's checkout and run on the CPU.

The released repository has no licence: fsnn runs it and never copies it. This module puts the
checkout on the import path, makes every CUDA call of the released code a CPU no-op for as long as
it is in use, and hands out its modules:

    with released.code("/path/to/IDE-FSNN") as reference:
        net = reference.module("models.snn_ide_conv_multilayer").SNNIDEConvMultiLayerNet(config)

What is redirected (the released files call these unconditionally or when CUDA is visible):
`Tensor.cuda()` and `Module.cuda()` return the object on the CPU, `torch.cuda.empty_cache()` does
nothing, and `torch.cuda.is_available()` is False. Everything else is the released code as it is.
Its module-level imports need scipy and termcolor besides torch and numpy (tools/reference/README.md).
"""

import contextlib
import importlib
import os
import sys

import torch

# The top-level packages of the released repository, unloaded on exit so that two checkouts (or a
# checkout and a later import of a same-named package) never mix.
_PACKAGES = ("models", "modules", "utils")


class ReleasedCodeError(Exception):
    pass


class ReleasedCode:
    """The checkout at `root`, importable while its `code` context is open."""

    def __init__(self, root):
        self.root = root

    def module(self, name):
        """The released module `name` (e.g. "modules.snnide_multilayer_module")."""
        return importlib.import_module(name)


def _on_cpu():
    """The CUDA entry points the released code uses, each replaced by its CPU meaning."""
    return [
        (torch.Tensor, "cuda", lambda self, *args, **kwargs: self.cpu()),
        (torch.nn.Module, "cuda", lambda self, *args, **kwargs: self.cpu()),
        (torch.cuda, "empty_cache", lambda: None),
        (torch.cuda, "is_available", lambda: False),
    ]


@contextlib.contextmanager
def code(root):
    """Imports from the pkuxmq/IDE-FSNN checkout at `root`, with CUDA redirected to the CPU."""
    root = os.path.abspath(root)
    expected = [os.path.join(root, "modules", "snnide_multilayer_module.py"),
                os.path.join(root, "models", "snn_ide_conv_multilayer.py")]
    missing = [path for path in expected if not os.path.isfile(path)]
    if missing:
        raise ReleasedCodeError(f"{root} is not a checkout of pkuxmq/IDE-FSNN: no {', '.join(missing)}")
    clashing = [name for name in _PACKAGES if name in sys.modules]
    if clashing:
        raise ReleasedCodeError(f"packages {', '.join(clashing)} are already imported; the released code's "
                                "packages of the same names cannot be loaded beside them")
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in _on_cpu()]
    for owner, name, replacement in _on_cpu():
        setattr(owner, name, replacement)
    path = list(sys.path)
    sys.path.insert(0, root)
    try:
        yield ReleasedCode(root)
    finally:
        sys.path[:] = path  # also drops the "../" the released modules append on import
        for owner, name, original in originals:
            setattr(owner, name, original)
        for name in [name for name in sys.modules if name.split(".")[0] in _PACKAGES]:
            del sys.modules[name]
