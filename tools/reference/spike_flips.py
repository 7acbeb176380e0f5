#!/usr/bin/env python3
"""Where fsnn's simulated rates differ from the released code's, and why: Float32 summation order.

    spike_flips.py --released PATH/TO/IDE-FSNN --checkpoint RUN.checkpoint.h5 [--batch 32]

On one training batch (samples 0…B−1, fsnn's dropout masks, the released model loaded from the
checkpoint; multi-layer models) it runs three Float32 simulations: fsnn's (`fsnn inspect grads`),
the released code's as it is, and the released code's with every convolution summing its input
channels in the reverse order (the weights and inputs permuted alike: the same sums, another
rounding). It prints, per sample, how many output rates each pair differs in, and for the pair of
released runs the first step at which their spikes part: the neurons, and how far their membrane was
from V_th there, in units in the last place (ulp) of Float32. tools/reference/README.md reads the
output.
"""

import argparse
import contextlib
import os
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check_gradients  # noqa: E402
import released  # noqa: E402


@contextlib.contextmanager
def reversed_channel_sums():
    """Every conv2d and conv_transpose2d sums its input channels in the reverse order: input and
    weight permuted alike, so only the order of the Float32 additions changes."""
    functional = torch.nn.functional
    conv2d, conv_transpose2d = functional.conv2d, functional.conv_transpose2d

    def reversed_conv2d(x, weight, bias=None, *args, **kwargs):
        return conv2d(x.flip(1), weight.flip(1), bias, *args, **kwargs)

    def reversed_conv_transpose2d(x, weight, bias=None, *args, **kwargs):
        return conv_transpose2d(x.flip(1), weight.flip(0), bias, *args, **kwargs)
    with check_gradients.patched(functional, "conv2d", reversed_conv2d), \
            check_gradients.patched(functional, "conv_transpose2d", reversed_conv_transpose2d):
        yield


class Steps:
    """The released multi-layer simulation followed call by call through forward hooks on its
    blocks: it rebuilds each layer's membrane with the released code's own Float32 operations
    (layer 1: m = (v + W s_L[t−1]) + I, others: m = v + F_l s_{l−1}[t]; spike s = m ≥ V_th;
    v = (m − V_th s)·λ), checks that its spikes are the ones the released code passes on, and keeps
    every step's spikes or, with `watch` = (step, layer), that step's pre-spike membranes."""

    def __init__(self, snn_func, leaky, watch=None):
        self.vth, self.leaky, self.watch = snn_func.vth, leaky, watch
        blocks = list(snn_func.network_s_list)
        self.feedback, self.loop = blocks[-1], blocks[:-1]
        self.active = False
        self.spikes = []  # per step, per layer: bool tensors
        self.watched = None
        self.input = None
        self.membranes = [None] * len(blocks)
        self.step = 0
        snn_func.network_x.register_forward_hook(self.input_current)
        self.feedback.register_forward_hook(self.feedback_current)
        for layer, block in enumerate(self.loop, start=2):
            block.register_forward_hook(lambda block, inputs, output, layer=layer: self.loop_current(layer, inputs, output))

    def start(self):
        self.active, self.step, self.spikes = True, 0, [[]]

    def fire(self, layer, membrane):
        if self.watch == (self.step, layer):
            self.watched = membrane.clone()
        spikes = (membrane >= self.vth).float()
        potential = membrane - self.vth * spikes
        self.membranes[layer - 1] = potential * self.leaky if self.leaky is not None else potential
        self.spikes[-1].append(spikes.bool())

    def input_current(self, block, inputs, output):
        if self.active:
            self.input = output
            self.fire(1, output)

    def feedback_current(self, block, inputs, output):
        if self.active:
            self.check(inputs[0], len(self.loop) + 1)
            self.step += 1
            self.spikes.append([])
            self.fire(1, self.membranes[0] + output + self.input)

    def loop_current(self, layer, inputs, output):
        if self.active:
            self.check(inputs[0], layer - 1)
            self.fire(layer, output if self.step == 0 else self.membranes[layer - 1] + output)

    def check(self, spikes, layer):
        """`spikes`, which the released code passes on, must be this step's rebuilt spikes of `layer`
        (the feedback's: the last step's of layer L, checked before the step begins)."""
        if not torch.equal(spikes.bool(), self.spikes[-1][layer - 1]):
            raise check_gradients.CheckError(f"step {self.step}: the rebuilt spikes of layer {layer} are not the "
                                             "released simulation's")


def simulate(reference, dump, checkpoint, reorder, watch=None):
    """One released simulation of fsnn's batch: its output rate and its Steps record."""
    net = check_gradients.released_model(reference, dump, checkpoint)
    ide = net.snn_ide_conv
    leaky = dump["configuration"]["neuron"].get("leaky", {}).get("lambda")
    steps = Steps(ide.snn_func, None if leaky is None else ide.snn_func.leaky, watch)
    forward, result = ide.snn_func.snn_forward, {}

    def snn_forward(*args, **kwargs):
        steps.start()
        try:
            out = forward(*args, **kwargs)
        finally:
            steps.active = False
        result["rate"] = out[1].numpy().copy()
        return out
    ide.snn_func.snn_forward = snn_forward
    with torch.no_grad(), (reversed_channel_sums() if reorder else contextlib.nullcontext()):
        net(torch.from_numpy(dump["input"]))
    return result["rate"], steps


def differing(a, b, batch):
    """Per sample, the output rates that differ beyond rounding."""
    return (np.abs(a.astype(np.float64) - b) > check_gradients.ROUNDING).reshape(batch, -1).sum(axis=1)


def floats_from_threshold(membrane, vth):
    """How many Float32 values lie from V_th up to m (negative below): the ulps between them."""
    bits = np.array([float(membrane), float(vth)], dtype=np.float32).view(np.int32).astype(np.int64)
    signed = np.where(bits < 0, -(bits & 0x7FFFFFFF), bits)  # monotone in the value
    return int(signed[0] - signed[1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--released", required=True, help="a checkout of pkuxmq/IDE-FSNN (run, never copied)")
    parser.add_argument("--checkpoint", required=True, help="an fsnn checkpoint of AlexNet-F or CIFARNet-F")
    parser.add_argument("--batch", type=int, default=32, help="batch size, training samples 0…B−1 (default 32)")
    parser.add_argument("--quirk", action="append", default=[],
                        help="fsnn quirks besides the released code's B1, B7, B9 (they do not change the simulation)")
    parser.add_argument("--fsnn", default=os.path.join(HERE, "..", "..", ".build", "release", "fsnn"))
    parser.add_argument("--data-dir", help="fsnn's data root (default: fsnn's)")
    parser.add_argument("--threads", type=int, default=1, help="torch and OpenBLAS threads (default 1)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    try:
        with tempfile.TemporaryDirectory() as work, released.code(args.released) as reference:
            model = check_gradients.export_pytorch.read_checkpoint(args.checkpoint)[1]
            if model not in check_gradients.MULTILAYER:
                raise check_gradients.CheckError(f"{args.checkpoint}: {model} is not a multi-layer model")
            dump = check_gradients.run_fsnn(args.fsnn, args.checkpoint, args.batch,
                                            check_gradients.ALWAYS[model] + args.quirk, os.path.join(work, "g.h5"),
                                            args.data_dir, args.threads)
            fsnn = dump["rate"]
            as_is, first = simulate(reference, dump, args.checkpoint, reorder=False)
            reordered, second = simulate(reference, dump, args.checkpoint, reorder=True)
            pairs = {"fsnn / released": differing(fsnn, as_is, args.batch),
                     "fsnn / released, reversed sums": differing(fsnn, reordered, args.batch),
                     "released / released, reversed sums": differing(as_is, reordered, args.batch)}
            size = fsnn.size // args.batch
            print(f"Output rates that differ beyond {check_gradients.ROUNDING:g}, of {size} per sample, samples 0…{args.batch - 1}:\n")
            print("| pair | total | samples with any | per sample |\n|---|--:|--:|---|")
            for name, counts in pairs.items():
                print(f"| {name} | {counts.sum()} | {int((counts > 0).sum())} | {' '.join(map(str, counts))} |")

            parted = [(t, l) for t, (a, b) in enumerate(zip(first.spikes, second.spikes))
                      for l, (x, y) in enumerate(zip(a, b), start=1) if not torch.equal(x, y)]
            if not parted:
                print("\nThe two released simulations spike alike at every step.")
                return 0
            t, l = parted[0]
            neurons = torch.nonzero(first.spikes[t][l - 1] != second.spikes[t][l - 1])
            _, watched_first = simulate(reference, dump, args.checkpoint, reorder=False, watch=(t, l))
            _, watched_second = simulate(reference, dump, args.checkpoint, reorder=True, watch=(t, l))
            print(f"\nThe released simulations first part at step {t + 1} (of {len(first.spikes)}), layer {l}, in "
                  f"{len(neurons)} neurons; their pre-spike membranes m there, and how many Float32 values lie "
                  f"between m and V_th = {float(first.vth):g} (ulps; negative below):\n")
            print("| sample, neuron (c, y, x) | m as is | ulps | m reversed sums | ulps |\n|---|--:|--:|--:|--:|")
            for index in neurons.tolist():
                a, b = watched_first.watched[tuple(index)].item(), watched_second.watched[tuple(index)].item()
                print(f"| {index[0]}, {tuple(index[1:])} | {a:.9g} | {floats_from_threshold(a, first.vth):+d} | "
                      f"{b:.9g} | {floats_from_threshold(b, first.vth):+d} |")
            print(f"\nSteps at which the two released simulations' spikes differ: {sorted({t + 1 for t, _ in parted})}")
    except (check_gradients.CheckError, released.ReleasedCodeError, OSError) as error:
        print(f"spike_flips: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
