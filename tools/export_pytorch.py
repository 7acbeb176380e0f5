#!/usr/bin/env python3
"""Export an fsnn checkpoint's model to a PyTorch state_dict.

    export_pytorch.py CHECKPOINT.h5 OUT.pt             reference names (load_state_dict(strict=True) into the
                                                        released code's SNNIDEFCNet / SNNIDEConvNet /
                                                        SNNIDEConvMultiLayerNet built for the same model)
    export_pytorch.py CHECKPOINT.h5 OUT.pt --names fsnn the checkpoint's own names and shapes
    export_pytorch.py CHECKPOINT.h5 --list [--names …]  name, shape, dtype and fsnn source of every entry as
                                                        JSON on stdout; needs only numpy and h5py

The checkpoint layout and the name map (fsnn name -> reference name, per architecture, with shapes)
are in docs/results-layout.md. Writing OUT.pt needs torch; everything else numpy and h5py.
"""

import argparse
import json
import sys

import h5py
import numpy as np

# The reference model class of each zoo model: the single-layer FC or conv network, or the five-layer
# one; and the attribute under which it holds its SNNIDE module.
ARCHITECTURES = {
    "fmnist_f400": ("fc", "snn_ide_fc"),
    "mnist_64c5s_f64c5": ("conv", "snn_ide_conv"),
    "nmnist_64c5s_f64c5_p1": ("conv", "snn_ide_conv"),
    "nmnist_64c5s_f64c5_p2": ("conv", "snn_ide_conv"),
    "alexnet_f": ("multilayer", "snn_ide_conv"),
    "cifarnet_f": ("multilayer", "snn_ide_conv"),
}

# The spectral reparameterisation's tensors: fsnn's leaf name -> the reference's.
SPECTRAL_LEAVES = {"weight_raw": "weight_w", "g": "weight_g", "u": "weight_u", "v": "weight_v"}
GAIN_BOUND = 1.0  # the clamp of g, spec §6.1


class ExportError(Exception):
    pass


def read_checkpoint(path):
    """The model's tensors (weights, then buffers, in file order) and the zoo model's name."""
    with h5py.File(path, "r") as f:
        for group in ("weights", "buffers", "metadata"):
            if group not in f:
                raise ExportError(f"{path}: no /{group} group; not an fsnn checkpoint (docs/results-layout.md)")
        tensors = {}
        for group in ("weights", "buffers"):
            for name, dataset in f[group].items():
                tensors[name] = np.asarray(dataset[()])
        configuration = f["metadata"].attrs.get("training_configuration")
        if configuration is None:
            raise ExportError(f"{path}: /metadata has no training_configuration")
        if isinstance(configuration, bytes):
            configuration = configuration.decode()
        model = json.loads(configuration)["model"]
    if model not in ARCHITECTURES:
        raise ExportError(f"{path}: model {model!r} is not one of {', '.join(ARCHITECTURES)}")
    return tensors, model


def module_map(model):
    """fsnn module prefix -> the reference module that holds the same tensors."""
    kind, _ = ARCHITECTURES[model]
    if kind == "multilayer":
        modules = {"layers.1.layer": "network_x.conv", "layers.1.bn": "network_x.bn",
                   "feedback": "network_s5.convT", "classifier": "classifier"}
        for k in range(2, 6):
            modules[f"layers.{k}.layer"] = f"network_s{k - 1}.conv"
            modules[f"layers.{k}.bn"] = f"network_s{k - 1}.bn"
        return modules
    layer = "fc" if kind == "fc" else "conv"
    return {"input.layer": f"network_x.{layer}", "input.bn": "network_x.bn", "feedback": f"network_s.{layer}",
            "classifier": "classifier"}


def reference_name(name, model):
    prefix, _, leaf = name.rpartition(".")
    modules = module_map(model)
    if prefix not in modules:
        raise ExportError(f"no reference module for fsnn tensor {name!r} of {model}")
    if prefix == "feedback":
        if leaf not in SPECTRAL_LEAVES:
            raise ExportError(f"unknown feedback tensor {name!r}")
        leaf = SPECTRAL_LEAVES[leaf]
    return f"{modules[prefix]}.{leaf}"


def inner_name(name, model):
    """Where the reference holds the tensor `name` (a top-level reference name) inside its SNNFunc:
    the same path, or network_s_list.<k − 1> for network_s<k> of the five-layer network."""
    kind, _ = ARCHITECTURES[model]
    module, _, rest = name.partition(".")
    if kind == "multilayer" and module.startswith("network_s"):
        return f"network_s_list.{int(module[len('network_s'):]) - 1}.{rest}"
    return name


def matrix(weight):
    """The weight reshaped as the reference's spectral norm does: first axis as rows."""
    return weight.reshape(weight.shape[0], -1).astype(np.float64)


def spectral_vectors(tensors):
    """The reference's weight_u, weight_v (1-D, rows and columns of the reshaped kernel matrix) and
    whether they had to be recomputed: a checkpoint trained without quirk spectral_reshaped_kernel_norm
    (B9) holds the conv operator's vectors ([1] + sample shape), which the reference has no place for."""
    w = matrix(tensors["feedback.weight_raw"])
    u, v = tensors["feedback.u"].reshape(-1), tensors["feedback.v"].reshape(-1)
    if u.size == w.shape[0] and v.size == w.shape[1]:
        return u, v, False
    left, _, right = np.linalg.svd(w, full_matrices=False)
    u, v = left[:, 0], right[0]
    if u @ w @ v < 0:
        v = -v
    return u.astype(np.float32), v.astype(np.float32), True


def effective_feedback(tensors, u, v):
    """W_eff = clamp(g)·W_raw/σ with σ = uᵀ W_raw v (spec §6.1), as the reference copies it into
    snn_func_copy before each use."""
    w = tensors["feedback.weight_raw"]
    sigma = float(u.astype(np.float64) @ matrix(w) @ v.astype(np.float64))
    gain = float(np.clip(tensors["feedback.g"].reshape(()), -GAIN_BOUND, GAIN_BOUND))
    return (w.astype(np.float64) * (gain / sigma)).astype(np.float32)


def reference_state(tensors, model):
    """(name, array, fsnn source) under the reference's names, in the reference's module order, and
    notes on what does not carry over."""
    u, v, recomputed = spectral_vectors(tensors)
    notes = []
    if recomputed:
        notes.append("this checkpoint normalises the feedback by the conv operator's norm (quirk "
                     "spectral_reshaped_kernel_norm off); the reference divides by the reshaped kernel matrix's "
                     "norm, so weight_u/weight_v are that matrix's top singular vectors and the reference's "
                     "effective feedback weight differs from fsnn's by the ratio of the two norms")
    primary = []
    for name, array in tensors.items():
        if name == "feedback.u":
            array = u
        elif name == "feedback.v":
            array = v
        elif name == "feedback.g":
            array = array.reshape(())
        elif name.endswith("num_batches_tracked"):
            array = np.asarray(array, dtype=np.int64).reshape(())
        primary.append((reference_name(name, model), array, name))
    spectral = {reference_name(f"feedback.{leaf}", model) for leaf in SPECTRAL_LEAVES}
    loop = [entry for entry in primary if not entry[0].startswith("classifier.")]
    # snn_func_copy is a deep copy taken before the spectral reparameterisation: a plain weight there,
    # W_eff, which the reference copies in before each use.
    copied = [entry for entry in loop if entry[0] not in spectral]
    copied.append((reference_name("feedback.weight_raw", model)[: -len("_w")], effective_feedback(tensors, u, v),
                   "W_eff"))
    _, ide = ARCHITECTURES[model]
    entries = list(loop)
    for owner, group in (("snn_func", loop), ("snn_func_copy", copied), (f"{ide}.snn_func", loop),
                         (f"{ide}.snn_func_copy", copied)):
        entries += [(f"{owner}.{inner_name(name, model)}", array, source) for name, array, source in group]
    return entries + [entry for entry in primary if entry[0].startswith("classifier.")], notes


def fsnn_state(tensors):
    """The checkpoint's tensors under their own names and shapes; num_batches_tracked as int64."""
    return [(name, np.asarray(array, dtype=np.int64) if name.endswith("num_batches_tracked") else array, name)
            for name, array in tensors.items()]


def listing(entries):
    return [{"name": name, "shape": list(array.shape), "dtype": str(array.dtype), "source": source}
            for name, array, source in entries]


def save(entries, path):
    try:
        import torch
    except ImportError:
        raise ExportError("writing a .pt needs torch (e.g. make bench-venv); --list needs only numpy and h5py")
    # np.array, not np.ascontiguousarray, which turns 0-dim arrays (g, num_batches_tracked) into 1-D ones.
    state = {name: torch.from_numpy(np.array(array, order="C")) for name, array, _ in entries}
    torch.save(state, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("checkpoint", help="a checkpoint file written by fsnn run (runs/…/seed-<k>.checkpoint.h5)")
    parser.add_argument("out", nargs="?", help="the .pt file to write")
    parser.add_argument("--names", choices=["reference", "fsnn"], default="reference",
                        help="the released reference code's parameter names (default) or fsnn's own")
    parser.add_argument("--list", action="store_true",
                        help="print every entry's name, shape, dtype and fsnn source as JSON instead of writing")
    args = parser.parse_args(argv)
    if args.list == (args.out is not None):
        parser.error("give OUT.pt or --list, not both")
    try:
        tensors, model = read_checkpoint(args.checkpoint)
        entries, notes = (fsnn_state(tensors), []) if args.names == "fsnn" else reference_state(tensors, model)
        if args.list:
            json.dump({"model": model, "names": args.names, "notes": notes, "entries": listing(entries)}, sys.stdout,
                      indent=1)
            print()
        else:
            for note in notes:
                print(f"export_pytorch: {note}", file=sys.stderr)
            save(entries, args.out)
            print(f"wrote {args.out}: {len(entries)} tensors of {model} under {args.names} names")
    except (ExportError, OSError, KeyError) as error:
        print(f"export_pytorch: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
