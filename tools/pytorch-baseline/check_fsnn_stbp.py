"""fsnn's AlexNet-F STBP gradient against this baseline's on the same checkpoint, batch and masks.

    fsnn inspect grads --checkpoint RUN.checkpoint.h5 --method stbp --indices 0-3 --out grads.h5
    check_fsnn_stbp.py --checkpoint RUN.checkpoint.h5 --grads grads.h5 [--float32] [--tolerance 1e-5]

The baseline's AlexNetF is built with the checkpoint's T and λ, given its weights (fsnn names ->
baseline names below), the u, v fsnn's power iteration left after the batch (so σ̂ = uᵀWv is the
one fsnn used) and fsnn's dropout masks of the batch, and runs stbp_step.loss on fsnn's input
(float64 by default) and backward.  Printed: W_eff against fsnn's, the loss, per-layer spike rates
and how many output rates differ, and for every parameter tensor the relative error and cosine of
the two gradients, relative to fsnn's norm, or to the largest for a gradient below 1e-6 of it (the
conv biases in front of train-mode BNs, whose gradients vanish, as tools/reference/check_gradients.py
measures them).  Exit status 1 when one is off by more than --tolerance.  Needs torch, numpy, h5py.
"""
import argparse
import json
import sys

import h5py
import numpy as np
import torch

import alexnet_f
import ide_step as ide
import stbp_step as stbp

VANISHING = 1e-6


def fsnn_names():
    """Baseline parameter name -> fsnn's (docs/results-layout.md)."""
    names = {"fx.weight": "layers.1.layer.weight", "fx.bias": "layers.1.layer.bias",
             "bn.weight": "layers.1.bn.weight", "bn.bias": "layers.1.bn.bias",
             "ws.weight": "feedback.weight_raw", "ws.g": "feedback.g",
             "classifier.weight": "classifier.weight", "classifier.bias": "classifier.bias"}
    for k in range(2, 6):
        for part, module in (("layer", "loop"), ("bn", "loop_bn")):
            for leaf in ("weight", "bias"):
                names[f"{module}.{k - 2}.{leaf}"] = f"layers.{k}.{part}.{leaf}"
    return names


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--grads", required=True, help="the file of `fsnn inspect grads --method stbp`")
    p.add_argument("--float32", action="store_true", help="run the baseline in float32 (default float64)")
    p.add_argument("--tolerance", type=float, default=1e-5)
    args = p.parse_args()
    dtype = torch.float32 if args.float32 else torch.float64
    torch.set_num_threads(1)
    with h5py.File(args.checkpoint, "r") as f:
        weights = {k: np.asarray(v[()]) for k, v in f["weights"].items()}
        configuration = json.loads(f["metadata"].attrs["training_configuration"])
    if configuration["model"] != "alexnet_f":
        raise SystemExit(f"{args.checkpoint}: model {configuration['model']}, not alexnet_f")
    with h5py.File(args.grads, "r") as f:
        group = lambda name: {k: np.asarray(v[()]) for k, v in f[name].items()}
        gradients, masks, after = group("gradients"), group("masks"), group("buffers_after")
        effective = np.asarray(f["effective_weights/feedback.weight"][()])
        x, labels, loss_fsnn = np.asarray(f["input"][()]), np.asarray(f["labels"][()]), float(f["loss"][()])
        rate_fsnn, layer_mean = np.asarray(f["rates/output"][()]), np.asarray(f["rates/layer_mean"][()])
    tensor = lambda a: torch.from_numpy(np.array(a, dtype=np.float64)).to(dtype)
    leak = configuration["neuron"].get("leaky", {}).get("lambda", 1.0)
    model = alexnet_f.AlexNetF(T=configuration["timeSteps"], leak=leak).to(dtype)
    names = fsnn_names()
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            parameter.copy_(tensor(weights[names[name]]).reshape(parameter.shape))
        model.ws.u.copy_(tensor(after["feedback.u"]))
        model.ws.v.copy_(tensor(after["feedback.v"]))
    model.train()
    model.mask_x, model.mask_s = tensor(masks["layers.1.dropout"]), tensor(masks["feedback.dropout"])
    model.loop_masks = [tensor(masks[f"layers.{k}.dropout"]) for k in range(2, 6)]
    w = model.ws.effective(iters=0)
    print(f"T {model.T}, λ {leak}, B {len(x)}, {'float32' if args.float32 else 'float64'}; W_eff rel diff "
          f"{((w.detach() - tensor(effective)).norm() / tensor(effective).norm()).item():.1e}")

    spikes = []

    def recording_fire(m, leak):
        s, v = ide.fire(m, leak)
        spikes.append(s)
        return s, v

    with torch.no_grad():
        rate = model.unrolled_rate(model.input_current(tensor(x)), w.detach(), recording_fire).double().numpy()
    ours = [torch.stack(spikes[l::5]).mean().item() for l in range(5)]
    differing = [int((np.abs(rate[b] - rate_fsnn[b]) > 1e-5).sum()) for b in range(len(x))]
    print(f"layer spike rates {', '.join(f'{r:.6f}' for r in ours)} (fsnn {', '.join(f'{r:.6f}' for r in layer_mean)}); "
          f"output rates differing per sample {differing} of {rate[0].size}")
    loss = stbp.loss(model, tensor(x), torch.from_numpy(labels).long(), w)
    loss.backward()
    print(f"loss {loss.item():.8f} (fsnn {loss_fsnn:.8f})")
    largest = max(np.linalg.norm(g) for g in gradients.values())
    worst = 0.0
    for name, parameter in model.named_parameters():
        ours, theirs = parameter.grad.double().flatten(), torch.from_numpy(gradients[names[name]].astype(np.float64)).flatten()
        norm = theirs.norm().item()
        rel = (ours - theirs).norm().item() / (norm if norm >= VANISHING * largest else largest)
        cosine = (ours @ theirs).item() / max(ours.norm().item() * norm, 1e-300)
        worst = max(worst, rel)
        print(f"  {name:20s} |g| {norm:.3e}  rel {rel:.1e}  cos {cosine:.7f}")
    print(f"worst rel {worst:.1e} (tolerance {args.tolerance:g})")
    return 0 if worst <= args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
