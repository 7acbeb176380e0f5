"""One STBP training iteration in PyTorch (CPU), written from shared/spec/IDE-FSNN.md §10.

The STBP baseline of the feedback networks (ide_step.SingleLayerFSNN, alexnet_f.AlexNetF: same
architecture, init and per-batch state as IDE): autograd back-propagation through the unrolled
T-step simulation of spec §2.1-2.3 (§2.6 for AlexNet-F), each model's `unrolled_rate` run with the
graph, the spike non-linearity given the rectangular surrogate ds/dm = 1[|m - V_th| < a/2] / a with
a = 1 (RectangularSpike), the gradient flowing through the subtractive reset v = λ (m - V_th s).
Per batch: dropout masks resampled and reused for all steps; W_eff = clamp(g) W / sigma recomputed
once with gradient through sigma (spec §6.1); the static input current m_x ⊙ BN(F x) computed once
with train-mode BN (batch statistics, running statistics updated once) and injected at every step;
AlexNet-F's loop BNs in train mode at every step (that step's batch statistics, running statistics
updated), as fsnn's STBP.  Readout a[T] (spec §2.3), linear classifier, cross-entropy, SGD (spec
§4.10 step 6).  Not derived from any reference code.
"""
import time

import torch
import torch.nn.functional as F

import ide_step as ide

SURROGATE_WIDTH = 1.0


class RectangularSpike(torch.autograd.Function):
    """s = H(m - V_th) forward; ds/dm = 1[|m - V_th| < a/2] / a backward (spec §10)."""

    @staticmethod
    def forward(ctx, m, threshold, width):
        ctx.save_for_backward(m)
        ctx.threshold, ctx.width = threshold, width
        return (m >= threshold).to(m.dtype)

    @staticmethod
    def backward(ctx, grad_s):
        m, = ctx.saved_tensors
        window = ((m - ctx.threshold).abs() < ctx.width / 2).to(grad_s.dtype)
        return grad_s * window / ctx.width, None, None


def spike(m):
    return RectangularSpike.apply(m, ide.VTH, SURROGATE_WIDTH)


def fire(m, leak):
    """ide.fire with the surrogate spike: s = H(m - V_th) forward, the rectangular window backward."""
    return ide.fire(m, leak, spike)


def loss(model, x, y, w, fire=fire):
    """Cross-entropy of the classifier on the rate a[T] of the unrolled simulation with its graph:
    the input current of x (train-mode BN), the feedback weight w, the neuron step `fire`."""
    a = model.unrolled_rate(model.input_current(x), w, fire)
    return F.cross_entropy(model.classifier(a.flatten(1)), y)


def train_step(model, opt, x, y):
    """One STBP iteration.  Returns the timings (s) of its phases and the loss: simulate = per-batch
    state and the forward with its graph; rest = backward through time and the optimizer step."""
    t0 = time.perf_counter()
    model.train()
    opt.zero_grad(set_to_none=True)
    model.reset(x.shape[0])                                 # masks; W_eff with gradient through sigma
    value = loss(model, x, y, model.w_eff)
    t1 = time.perf_counter()
    value.backward()
    opt.step()
    t2 = time.perf_counter()
    return {"simulate": t1 - t0, "solve": 0.0, "rest": t2 - t1, "total": t2 - t0, "loss": value.item(),
            "iters": None, "residual": None}
