#!/usr/bin/env python3
"""fsnn's IDE gradient against the released code's own forward and backward on the same batch.

    check_gradients.py --released PATH/TO/IDE-FSNN --checkpoint RUN.checkpoint.h5 [--checkpoint …]
                       [--batch 8,32] [--case released,b11,b13,corrected] [--fsnn .build/release/fsnn]

For every checkpoint, batch size and case, `fsnn inspect grads` runs the batch (training samples
0…B−1) with the case's quirks and writes its input, dropout masks, rates, solver statistics, clamp
derivatives and gradients. The released model class is built for the checkpoint's model, loaded
with the checkpoint's tensors under the released names (tools/export_pytorch.py, strict), given the
same dropout masks and fsnn's equilibrium rates, and run forward and backward by the released code
itself: its simulation, its training-mode map application, its autograd nodes, its Broyden, its BN
modes. It runs twice: as PyTorch runs it, and with its clamp derivatives set to fsnn's at the
entries where the two differ and the clamp input lies within CORNER of 0 or 1 (where the derivative
is decided by Float32 rounding or by the convention at exactly 0 and 1, spec §4.6). Printed per
case: both simulations' equilibrium rates, both solvers' iterations, loss, logits, effective
feedback weight, buffers after the batch, where the clamp derivatives differ, and every parameter
gradient's relative error and cosine for both runs. tools/reference/README.md says what this proves.
"""

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # tools/: the exporter's name map
import export_pytorch  # noqa: E402
import released  # noqa: E402

B1 = "input_bn_double_update"
B7 = "broyden_neg_first_step"
B9 = "spectral_reshaped_kernel_norm"
B11 = "adjoint_loop_bn_train_mode"
B13 = "adjoint_linearised_at_map_output"

# What the released code always does and fsnn does when asked: every case lists these, so that both
# sides run the same Broyden iterates (B7), the same spectral parameterisation (B9, convolutional
# feedback) and update the same BN running statistics (B1; it does not change the gradient).
ALWAYS = {"fmnist_f400": [B1, B7], "mnist_64c5s_f64c5": [B1, B7, B9],
          "alexnet_f": [B1, B7, B9], "cifarnet_f": [B1, B7, B9]}

# Multi-layer cases: fsnn's quirks besides ALWAYS, and how the released backward is run for them.
# The released code takes J at z̃ = f_train(a) with training-mode loop BNs (B11 + B13); "at a" makes
# its backward node save the simulated rate a instead of z̃ (as its single-layer module does); "eval
# BN" keeps its frozen clone's loop BNs in evaluation mode while the adjoint is solved (as its
# comments intend). Single-layer models have one case: the released code as it is.
CASES = {
    "released": ([B11, B13], "the released code as it is"),
    "b11": ([B11], "the released code made to linearise at a"),
    "b13": ([B13], "the released code with eval-mode loop BNs in J"),
    "corrected": ([], "the released code made to linearise at a with eval-mode loop BNs in J"),
}
MULTILAYER = ("alexnet_f", "cifarnet_f")

# The released scripts' model configurations (spec §5), by fsnn zoo model.
MODELS = {
    "fmnist_f400": ("models.snn_ide_fc", "SNNIDEFCNet", {"dim_in": 784, "dim_hidden": 400}),
    "mnist_64c5s_f64c5": ("models.snn_ide_conv", "SNNIDEConvNet", {
        "c_in": 1, "c_hidden": 64, "h_hidden": 14, "w_hidden": 14, "kernel_size_x": 5, "pooling_x": False,
        "stride_x": 2, "padding_x": 2, "kernel_size_s": 5}),
    "alexnet_f": ("models.snn_ide_conv_multilayer", "SNNIDEConvMultiLayerNet", {
        "c_in": 3, "c_hidden": 96, "kernel_size_x": 3, "stride_x": 2, "padding_x": 1, "pooling_x": False,
        "c_s1": 256, "c_s2": 384, "c_s3": 384, "c_s4": 256, "kernel_size_s": 3, "h_hidden": 8, "w_hidden": 8}),
    "cifarnet_f": ("models.snn_ide_conv_multilayer", "SNNIDEConvMultiLayerNet", {
        "c_in": 3, "c_hidden": 128, "kernel_size_x": 3, "stride_x": 2, "padding_x": 1, "pooling_x": False,
        "c_s1": 256, "c_s2": 512, "c_s3": 1024, "c_s4": 512, "kernel_size_s": 3, "h_hidden": 8, "w_hidden": 8}),
}

# A gradient whose released norm is below this fraction of the largest one is rounding noise of an
# exact zero (a conv bias in front of a training-mode BN): its error is measured against the largest.
VANISHING = 1e-6
# A clamp input this close to 0 or 1 may fall on either side in two Float32 implementations that
# sum in different orders (measured: about 1e-6 apart on AlexNet-F), and exactly at 0 or 1 PyTorch's
# clamp passes the gradient where fsnn's does not: there the two derivatives may differ.
CORNER = 1e-5
# Rates that differ by less than this are the same up to the rounding of the rate's normaliser.
ROUNDING = 1e-5


class CheckError(Exception):
    pass


@contextlib.contextmanager
def patched(owner, name, value):
    """`owner.name = value` for the duration of the block."""
    original = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, original)


# MARK: fsnn's side

def read_dump(path):
    """Everything of an `fsnn inspect grads --clamp-derivatives` file the comparison needs."""
    with h5py.File(path, "r") as f:
        def group(name):
            return {key: np.asarray(value[()]) for key, value in f[name].items()}
        layers = [name.decode() if isinstance(name, bytes) else str(name)
                  for name in np.atleast_1d(f["rates/layer_mean"].attrs["layers"])]
        return {
            "configuration": json.loads(f.attrs["training_configuration"]),
            "quirks": [q.decode() if isinstance(q, bytes) else str(q) for q in np.atleast_1d(f.attrs["quirks"])],
            "input": np.asarray(f["input"][()]), "labels": np.asarray(f["labels"][()]),
            "masks": group("masks"), "rate": np.asarray(f["rates/output"][()]),
            "logits": np.asarray(f["logits"][()]), "loss": float(f["loss"][()]),
            "iterations": int(f["solver"].attrs["iterations"]),
            "relative_residual": float(f["solver"].attrs["relative_residual"]),
            "gradients": group("gradients"), "buffers_after": group("buffers_after"),
            "effective_feedback": np.asarray(f["effective_weights/feedback.weight"][()]),
            "derivatives": {application: [np.asarray(f[f"clamp_derivatives/{application}/{layer}"][()])
                                          for layer in layers] for application in ("map", "jacobian")},
        }


def run_fsnn(fsnn, checkpoint, batch, quirks, out, data_dir, threads):
    command = [fsnn, "inspect", "grads", "--checkpoint", checkpoint, "--indices", f"0-{batch - 1}",
               "--clamp-derivatives", "--out", out]
    command += [arg for quirk in quirks for arg in ("--quirk", quirk)] if quirks else ["--no-quirks"]
    if data_dir:
        command += ["--data-dir", data_dir]
    environment = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads))
    result = subprocess.run(command, capture_output=True, text=True, env=environment)
    if result.returncode != 0:
        raise CheckError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    return read_dump(out)


# MARK: the released side

class ClampWithDerivative(torch.autograd.Function):
    """torch.clamp(x, low, high) whose backward multiplies by a given 0/1 tensor instead of PyTorch's
    1[low ≤ x ≤ high]."""

    clamp = torch.clamp

    @staticmethod
    def forward(ctx, x, low, high, derivative):
        ctx.save_for_backward(derivative)
        return ClampWithDerivative.clamp(x, low, high)

    @staticmethod
    def backward(ctx, gradient):
        derivative, = ctx.saved_tensors
        return gradient * derivative, None, None, None


class Observer:
    """What the released forward and backward did: the simulated rate and the one the IDE module
    went on with (fsnn's, or its own with `own_rates`), the clamp inputs p_l of the training-mode
    map application at a ("map") and of the frozen clone's application that J is taken at
    ("jacobian"), and each Broyden solve's record."""

    def __init__(self, own_rates):
        self.own_rates = own_rates
        self.simulated = None
        self.rate = None
        self.clamp_inputs = {}
        self.solves = []


def observe_map(snn_func, multilayer, application, observer, derivatives):
    """Makes the calls of `snn_func.equivalent_func` record their clamp inputs [p_1, …, p_L] in
    `observer.clamp_inputs[application]`, recomputed from the blocks' outputs with the released
    code's own operations (p_1 = (W a + F_1 x̄)/V_th, p_l = F_l a_{l−1}/V_th) so they are the values
    its clamps saw; with `derivatives` (one 0/1 tensor per layer), its clamps are differentiated
    with those instead of PyTorch's rule."""
    feedback = snn_func.network_s_list[-1] if multilayer else snn_func.network_s
    loop = list(snn_func.network_s_list)[:-1] if multilayer else []
    outputs, active = {}, [False]
    for block in [snn_func.network_x, feedback] + loop:
        block.register_forward_hook(lambda block, inputs, output: outputs.__setitem__(block, output.detach())
                                    if active[0] else None)
    apply = snn_func.equivalent_func

    def equivalent_func(*args, **kwargs):
        calls = iter(derivatives or [])

        def clamp(x, low, high):
            return ClampWithDerivative.apply(x, low, high, next(calls))
        active[0] = True
        try:
            with patched(torch, "clamp", clamp) if derivatives else contextlib.nullcontext():
                result = apply(*args, **kwargs)
        finally:
            active[0] = False
        observer.clamp_inputs[application] = ([(outputs[feedback] + outputs[snn_func.network_x]) / snn_func.vth]
                                              + [outputs[block] / snn_func.vth for block in loop])
        return result
    snn_func.equivalent_func = equivalent_func


def dropout_modules(model_name, net):
    """fsnn's dropout names (`/masks/<name>`) -> the released model's dropout modules."""
    if model_name in MULTILAYER:
        modules = {"layers.1.dropout": net.network_x.drop, "feedback.dropout": net.network_s5.drop}
        modules.update({f"layers.{k}.dropout": getattr(net, f"network_s{k - 1}").drop for k in range(2, 6)})
        return modules
    return {"input.dropout": net.network_x.drop, "feedback.dropout": net.network_s.drop}


def released_model(reference, dump, checkpoint):
    """The released model class built for the checkpoint's model and loaded with its tensors (strict),
    in training mode, whose dropout layers take fsnn's masks of the batch instead of fresh draws."""
    configuration = dump["configuration"]
    model_name = configuration["model"]
    module_name, class_name, architecture = MODELS[model_name]
    leaky = configuration["neuron"].get("leaky", {}).get("lambda")
    config = {"MODEL": dict(architecture, num_classes=configuration["classCount"], dropout=configuration["dropout"],
                            threshold=configuration["solverMaxIterations"], time_step=configuration["timeSteps"],
                            vth=configuration["threshold"], leaky=leaky),
              "OPTIM": {"solver": "broy"}}
    net = getattr(reference.module(module_name), class_name)(config)
    tensors, _ = export_pytorch.read_checkpoint(checkpoint)
    entries, notes = export_pytorch.reference_state(tensors, model_name)
    if notes:
        raise CheckError(f"{checkpoint}: {' '.join(notes)}")
    net.load_state_dict({name: torch.from_numpy(np.array(array, order="C")) for name, array, _ in entries}, strict=True)
    net.train()
    for name, drop in dropout_modules(model_name, net).items():
        mask = torch.from_numpy(dump["masks"][name])
        drop.reset_mask = lambda x, mask=mask, drop=drop: setattr(drop, "mask", mask) or mask
    return net


def released_run(reference, dump, checkpoint, case, own_rates, derivatives=None):
    """The released model's forward and backward on fsnn's batch; `derivatives` (per application,
    one 0/1 tensor per layer) replaces its clamps' derivatives."""
    model_name = dump["configuration"]["model"]
    multilayer = model_name in MULTILAYER
    net = released_model(reference, dump, checkpoint)
    observer = Observer(own_rates)
    ide = net.snn_ide_conv if hasattr(net, "snn_ide_conv") else net.snn_ide_fc
    simulate = ide.snn_func.snn_forward
    fsnn_rate = torch.from_numpy(dump["rate"])

    def snn_forward(*args, **kwargs):
        out = simulate(*args, **kwargs)
        rate = out[1] if multilayer else out
        observer.simulated = rate.clone()
        observer.rate = rate if own_rates else fsnn_rate.reshape(rate.shape).to(rate.dtype)
        return (out[0], observer.rate) if multilayer else observer.rate
    ide.snn_func.snn_forward = snn_forward
    for application, snn_func in (("map", ide.snn_func), ("jacobian", ide.snn_func_copy)):
        observe_map(snn_func, multilayer, application, observer, (derivatives or {}).get(application))

    module = reference.module("modules.snnide_multilayer_module" if multilayer else "modules.snnide_module")
    solve = module.broyden

    def recording_broyden(*args, **kwargs):
        info = solve(*args, **kwargs)
        observer.solves.append(info)
        return info

    if multilayer:
        quirks = set(CASES[case][0])
        original = type(ide).Backward
        at_rate, eval_norms = B13 not in quirks, B11 not in quirks

        class Backward(original):
            """The released backward node, linearised at a (`at_rate`) and with eval-mode loop BNs
            (`eval_norms`) when the case asks; otherwise exactly the released one."""

            @staticmethod
            def forward(ctx, snn_func_copy, z1, u, *args):
                out = original.forward(ctx, snn_func_copy, z1, u, *args)
                if at_rate:
                    ctx.save_for_backward(observer.rate.reshape(z1.shape))
                return out

            @staticmethod
            def backward(ctx, grad):
                if not eval_norms:
                    return original.backward(ctx, grad)
                ctx.snn_func.set_bn_mode_s("eval")
                try:
                    return original.backward(ctx, grad)
                finally:
                    ctx.snn_func.set_bn_mode_s("train")

        ide.Backward = Backward  # this instance's node; the released class is untouched
    with patched(module, "broyden", recording_broyden):
        logits = net(torch.from_numpy(dump["input"]))
        loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(dump["labels"]).long())
        loss.backward()

    parameters, buffers = dict(net.named_parameters()), dict(net.named_buffers())

    def released(name, tensors, like):
        return tensors[export_pytorch.reference_name(name, model_name)].detach().numpy().reshape(like.shape)
    feedback = net.network_s5.convT if multilayer else (net.network_s.fc if hasattr(net.network_s, "fc")
                                                         else net.network_s.conv)
    return {"observer": observer, "logits": logits.detach().numpy(), "loss": loss.item(),
            "gradients": {name: released(name, {k: p.grad for k, p in parameters.items() if p.grad is not None}, g)
                          for name, g in dump["gradients"].items()},
            "buffers_after": {name: released(name, buffers, b) for name, b in dump["buffers_after"].items()},
            "effective_feedback": feedback.weight.detach().numpy()}


# MARK: comparison

def relevant(masks, layers, multilayer):
    """Per layer, where the clamp's derivative can reach a gradient: not under a zero dropout mask
    (layer 1: under neither of its two masks)."""
    if multilayer:
        first = (masks["feedback.dropout"] != 0) | (masks["layers.1.dropout"] != 0)
        return [first] + [masks[f"layers.{l}.dropout"] != 0 for l in range(2, layers + 1)]
    return [(masks["feedback.dropout"] != 0) | (masks["input.dropout"] != 0)]


def derivative_differences(dump, observer, multilayer):
    """Per application ("map", "jacobian"): fsnn's clamp derivatives, PyTorch's (1[0 ≤ p ≤ 1] of
    the released clamp inputs p), where they differ within CORNER of 0 or 1 (to be aligned), and a
    summary line."""
    result = {}
    for application, fsnn_layers in dump["derivatives"].items():
        inputs = observer.clamp_inputs[application]
        kept = relevant(dump["masks"], len(inputs), multilayer)
        aligned, parts, stray = [], [], 0
        for l, (p, ours, keep) in enumerate(zip(inputs, fsnn_layers, kept)):
            ours = torch.from_numpy(ours.reshape(p.shape))
            theirs = ((p >= 0) & (p <= 1)).to(p.dtype)
            corner = torch.minimum(p.abs(), (p - 1).abs())
            differ = (ours != theirs) & torch.from_numpy(keep.reshape(p.shape))
            near = differ & (corner < CORNER)
            stray += int((differ & ~near).sum())
            aligned.append(torch.where(near, ours, theirs))
            if differ.any():
                exact = int((differ & (corner == 0)).sum())
                parts.append(f"L{l + 1}: {int(differ.sum())} ({exact} at exactly 0 or 1, the others within "
                             f"{corner[differ & (corner > 0)].max().item() if int(differ.sum()) > exact else 0:.1e})")
        line = ", ".join(parts) or "none"
        if stray:
            line += f"; {stray} FARTHER than {CORNER:g} from 0 and 1 (not aligned: a real difference)"
        result[application] = (aligned, line)
    return result


def relative(ours, theirs):
    ours, theirs = np.asarray(ours, np.float64).ravel(), np.asarray(theirs, np.float64).ravel()
    return float(np.linalg.norm(ours - theirs) / max(np.linalg.norm(theirs), np.finfo(np.float64).tiny))


def cosine(ours, theirs):
    ours, theirs = np.asarray(ours, np.float64).ravel(), np.asarray(theirs, np.float64).ravel()
    norms = np.linalg.norm(ours) * np.linalg.norm(theirs)
    return float(ours @ theirs / norms) if norms > 0 else float("nan")


def gradient_error(ours, theirs, largest):
    """(relative error, shown text, cosine text); a vanishing tensor is measured against `largest`."""
    if np.linalg.norm(theirs) < VANISHING * largest:
        error = float(np.linalg.norm(ours.astype(np.float64) - theirs) / largest)
        return error, f"{error:.1e} (vanishes)", "—"
    error = relative(ours, theirs)
    return error, f"{error:.2e}", f"{cosine(ours, theirs):.7f}"


def rate_differences(ours, theirs, configuration):
    """How two simulations' output rates differ: where beyond ROUNDING, and by how many spike-weights
    at most (a spike at step t adds λ^(T−t)/Λ_T to a rate, 1/T in IF)."""
    steps = configuration["timeSteps"]
    leaky = configuration["neuron"].get("leaky", {}).get("lambda")
    normaliser = steps if leaky is None else (1 - leaky ** steps) / (1 - leaky)
    difference = np.abs(ours.astype(np.float64) - theirs).ravel()
    beyond = difference > ROUNDING
    return (f"fsnn's a and the released simulation's differ in {int(beyond.sum())} of {ours.size} entries"
            + (f" (by at most {difference.max() * normaliser:.3f} spike-weights)" if beyond.any() else "")
            + f", elsewhere by at most {difference[~beyond].max(initial=0):.1e}")


def report(dump, as_run, aligned, differences, tolerance):
    """Markdown lines for one case and whether every gradient of the aligned run is within `tolerance`."""
    configuration = dump["configuration"]
    observer = as_run["observer"]
    start = "its own" if observer.own_rates else "fsnn's"
    lines = [f"- equilibrium rates: {rate_differences(dump['rate'], observer.simulated.numpy(), configuration)}; "
             f"the released backward starts from {start}"]
    for name, run in (("as run", as_run), ("aligned", aligned)):
        if run["observer"].solves:
            info = run["observer"].solves[-1]
            lines.append(f"- adjoint solve ({name}): fsnn {dump['iterations']} Broyden iterations (relative residual "
                         f"{dump['relative_residual']:.2e}), released {info['nstep']} (lowest residual at "
                         f"{info['lowest_step']}, relative {info['diff'] / info['trace'][0]:.2e})")
    buffers = max((relative(dump["buffers_after"][n], as_run["buffers_after"][n]), n) for n in dump["buffers_after"]
                  if not n.endswith("num_batches_tracked"))
    lines += [f"- W_eff relative error {relative(dump['effective_feedback'], as_run['effective_feedback']):.1e}; "
              f"loss fsnn {dump['loss']:.6f}, released {as_run['loss']:.6f}; logits relative error "
              f"{relative(dump['logits'], as_run['logits']):.1e}; buffers after the batch (BN running statistics, "
              f"u, v): largest relative error {buffers[0]:.1e} ({buffers[1]})",
              f"- clamp derivatives where fsnn's and PyTorch's differ, map at a: {differences['map'][1]}; "
              f"J's linearisation: {differences['jacobian'][1]}",
              "", "| tensor | shape | ‖∂L/∂θ‖ released | as run: relative error | cosine | aligned: relative error | "
              "cosine |", "|---|---|--:|--:|--:|--:|--:|"]
    largest = max(np.linalg.norm(g) for g in aligned["gradients"].values())
    worst = {"as run": (0.0, ""), "aligned": (0.0, "")}
    for name, gradient in dump["gradients"].items():
        cells = []
        for label, run in (("as run", as_run), ("aligned", aligned)):
            error, shown, angle = gradient_error(gradient, run["gradients"][name], largest)
            worst[label] = max(worst[label], (error, name))
            cells += [shown, angle]
        lines.append(f"| {name} | {'×'.join(map(str, gradient.shape))} | "
                     f"{np.linalg.norm(aligned['gradients'][name]):.3e} | " + " | ".join(cells) + " |")
    passed = worst["aligned"][0] <= tolerance and "FARTHER" not in differences["map"][1] + differences["jacobian"][1]
    lines += ["", f"Worst as run: {worst['as run'][1]} {worst['as run'][0]:.2e}; aligned: {worst['aligned'][1]} "
                  f"{worst['aligned'][0]:.2e} — {'within' if passed else 'OUTSIDE'} {tolerance:g}."]
    return lines, passed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--released", required=True, help="a checkout of pkuxmq/IDE-FSNN (run, never copied)")
    parser.add_argument("--checkpoint", action="append", required=True,
                        help="an fsnn checkpoint (runs/…/seed-<k>.checkpoint.h5); repeatable")
    parser.add_argument("--batch", default="8,32", help="batch sizes, training samples 0…B−1 (default 8,32)")
    parser.add_argument("--case", default=",".join(CASES),
                        help="multi-layer cases: " + "; ".join(f"{k}: fsnn with {'+'.join(v[0]) or 'neither'} against "
                                                              f"{v[1]}" for k, v in CASES.items()))
    parser.add_argument("--fsnn", default=os.path.join(HERE, "..", "..", ".build", "release", "fsnn"))
    parser.add_argument("--data-dir", help="fsnn's data root (default: fsnn's)")
    parser.add_argument("--threads", type=int, default=1, help="torch and OpenBLAS threads (default 1)")
    parser.add_argument("--without", action="append", default=[], choices=[B1, B7],
                        help="leave this released behaviour out of fsnn's quirks (repeatable): with "
                             f"{B7} out, fsnn's Broyden starts with +G(0) and its iterates differ from the released ones")
    parser.add_argument("--own-rates", action="store_true",
                        help="start the released backward from its own simulated rates instead of fsnn's a")
    parser.add_argument("--tolerance", type=float, default=1e-3, help="largest relative error that passes (1e-3)")
    parser.add_argument("--work", help="where the fsnn gradient files go (default: a temporary folder)")
    args = parser.parse_args(argv)
    cases = args.case.split(",")
    for case in cases:
        if case not in CASES:
            parser.error(f"unknown case {case!r}; use {', '.join(CASES)}")
    torch.set_num_threads(args.threads)
    failures = 0
    try:
        with tempfile.TemporaryDirectory() as scratch, released.code(args.released) as reference:
            work = args.work or scratch
            os.makedirs(work, exist_ok=True)
            for checkpoint in args.checkpoint:
                _, model_name = export_pytorch.read_checkpoint(checkpoint)
                if model_name not in MODELS:
                    raise CheckError(f"{checkpoint}: {model_name} reads spike frames; only static-input models "
                                     f"({', '.join(MODELS)}) are checked")
                multilayer = model_name in MULTILAYER
                for batch in map(int, args.batch.split(",")):
                    for case in cases if multilayer else ["released"]:
                        quirks = [q for q in ALWAYS[model_name] if q not in args.without]
                        quirks += CASES[case][0] if multilayer else []
                        run = os.path.basename(os.path.dirname(os.path.abspath(checkpoint)))  # the row
                        stem = os.path.splitext(os.path.basename(checkpoint))[0]
                        out = os.path.join(work, f"{run}-{stem}-b{batch}-{case}.h5")
                        dump = run_fsnn(args.fsnn, checkpoint, batch, quirks, out, args.data_dir, args.threads)
                        as_run = released_run(reference, dump, checkpoint, case, args.own_rates)
                        differences = derivative_differences(dump, as_run["observer"], multilayer)
                        aligned = released_run(reference, dump, checkpoint, case, args.own_rates,
                                               {application: d[0] for application, d in differences.items()})
                        neuron = "IF" if "integrateAndFire" in dump["configuration"]["neuron"] else "LIF"
                        print(f"\n### {model_name} {neuron} T={dump['configuration']['timeSteps']}, B={batch}: fsnn "
                              f"with {', '.join(dump['quirks'])} against {CASES[case][1]}\n")
                        lines, passed = report(dump, as_run, aligned, differences, args.tolerance)
                        failures += not passed
                        print("\n".join(lines), flush=True)
    except (CheckError, released.ReleasedCodeError, export_pytorch.ExportError, OSError) as error:
        print(f"check_gradients: {error}", file=sys.stderr)
        return 2
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
