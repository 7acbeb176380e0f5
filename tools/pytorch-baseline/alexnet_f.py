"""The multi-layer AlexNet-F feedback SNN and its IDE pieces in PyTorch (CPU), written from
shared/spec/IDE-FSNN.md §2.6, §3.4, §4.2-4.3, §5.4, §6, §7, §10.  Not derived from any reference code.

Layers (spec §5.4; channels (96, 256, 384, 384, 256) for CIFAR, any widths for the checks):
  L1 input branch  Conv c_in->c1 k3 s2 p1 + BN + dropout                  (c1 x H/2 x W/2)
  L2..L5 (loop)    Conv k3 (s1, s2, s1, s1) p1 + BN + dropout             (L3 halves the map)
  feedback L5->L1  ConvTranspose c5->c1 k3 s2 p1 output_padding 1, no bias, no BN, spectral
                   reparameterisation on the reshaped kernel c5 x (c1*9) (quirk B9), dropout
  readout          Linear |a_5| -> classes

Simulation (spec §2.6, under no_grad): layer 1 gets the static input current once per batch
(train-mode BN) plus the feedback of the previous step's L5 spikes (delayed by one step); layers
2..5 get F_l of the previous layer's spikes of the same step, loop BNs in eval mode with the
running statistics; every layer spikes at V_th, subtracts V_th and leaks by λ (LIF, IF for λ = 1).
The readout is the λ-weighted L5 rate a_5 (spec §2.3).  STBP (stbp_step.py, spec §10) unrolls the
same T steps with the autograd graph, the surrogate spike and every BN in train mode (each step's
batch statistics), as fsnn's unrolled simulation does.

The map f_last(a_5) (spec §3.4): z_1 = σ((m_s ⊙ W a_5 + m_x ⊙ BN_1(F_1 x)) / V_th), then
z_l = σ(m_l ⊙ BN_l(F_l z_{l-1}) / V_th), σ = clamp to [0, 1].  For ∂f/∂θ every BN is in train
mode (batch statistics, running statistics updated: spec §4.3); the frozen copy whose VJPs the
Broyden solve uses has detached parameters and loop BNs in eval mode with the running statistics
just refreshed (the corrected behaviour), or, under quirk B11 (adjoint_loop_bn_train_mode), loop
BNs with the batch statistics of the equilibrium point and their derivative (the released code).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

import ide_step as ide

ALEXNET_F_CHANNELS = (96, 256, 384, 384, 256)
LOOP_STRIDES = (1, 2, 1, 1)


class AlexNetF(nn.Module):
    def __init__(self, channels=ALEXNET_F_CHANNELS, c_in=3, image=32, classes=10, T=30, leak=0.99, drop=0.2,
                 quirks=frozenset()):
        super().__init__()
        self.T, self.leak, self.drop, self.quirks = T, leak, drop, frozenset(quirks)
        c1, c5 = channels[0], channels[-1]
        self.fx = nn.Conv2d(c_in, c1, 3, stride=2, padding=1)
        self.bn = nn.BatchNorm2d(c1)
        self.loop = nn.ModuleList(nn.Conv2d(a, b, 3, stride=s, padding=1)
                                  for a, b, s in zip(channels[:-1], channels[1:], LOOP_STRIDES))
        self.loop_bn = nn.ModuleList(nn.BatchNorm2d(c) for c in channels[1:])
        self.ws = ide.SpectralWeight((c5, c1, 3, 3), output_axis=1)   # ConvTranspose2d layout (in, out, k, k)
        for conv in [self.fx, *self.loop]:
            ide.unit_rows_uniform_(conv.weight)
            nn.init.zeros_(conv.bias)
        side = (image + 2 - 3) // 2 + 1
        sides = [side, side]
        for stride in LOOP_STRIDES[1:]:
            sides.append(sides[-1] if stride == 1 else (sides[-1] + 2 - 3) // 2 + 1)
        self.layer_shapes = [(c, h, h) for c, h in zip(channels, sides)]
        self.dim = c5 * sides[-1] ** 2
        self.classifier = nn.Linear(self.dim, classes)  # PyTorch default init

    # -- per-batch state (spec §4.10 step 1) --
    def reset(self, batch):
        keep = 1.0 - self.drop
        mask = lambda shape: torch.bernoulli(torch.full((batch, *shape), keep)) / keep
        self.mask_x = mask(self.layer_shapes[0])
        self.mask_s = mask(self.layer_shapes[0])
        self.loop_masks = [mask(shape) for shape in self.layer_shapes[1:]]
        self.w_eff = self.ws.effective()

    def feedback(self, s, w):
        return F.conv_transpose2d(s, w, stride=2, padding=1, output_padding=1)

    def input_current(self, x):
        return self.mask_x * self.bn(self.fx(x))  # train-mode BN: batch statistics, running stats updated

    def loop_layer(self, l, z, bn_mode, frozen=False):
        """m_l ⊙ BN_l(conv_l z) with BN_l from the running statistics ("running"), from the batch
        statistics updating the running ones ("update"), or from the batch statistics alone ("batch");
        frozen: detached parameters."""
        conv, bn = self.loop[l], self.loop_bn[l]
        p = (lambda t: t.detach()) if frozen else (lambda t: t)
        y = F.conv2d(z, p(conv.weight), p(conv.bias), stride=conv.stride, padding=conv.padding)
        if bn_mode == "running":
            y = F.batch_norm(y, bn.running_mean, bn.running_var, p(bn.weight), p(bn.bias), training=False, eps=bn.eps)
        elif bn_mode == "update":
            y = bn(y)
        else:
            y = ide.batch_stat_norm(y, bn, detach=frozen)
        return self.loop_masks[l] * y

    def unrolled_rate(self, current, w, fire, loop_bn="update"):
        """The λ-weighted L5 rate a_5 [B, c5, h5, w5] (spec §2.3) of T steps of spec §2.6: the input
        current [B, c1, h1, w1] injected at every step, the feedback weight w, every layer's spike
        and reset by fire(m, λ) -> (s, v), the loop BNs in mode `loop_bn` (see loop_layer).
        Written out of place so that autograd can record it: STBP (stbp_step.py) runs it with the
        surrogate spike and loop BNs in train mode ("update": each step's batch statistics, the
        running statistics updated at every step), the IDE simulation without graph, with the
        Heaviside spike and the running statistics ("running")."""
        potentials = [None] * 5
        spikes = [None] * 5
        rate = None
        for t in range(self.T):
            m = current if t == 0 else potentials[0] + self.mask_s * self.feedback(spikes[4], w) + current
            spikes[0], potentials[0] = fire(m, self.leak)
            for l in range(4):
                m = self.loop_layer(l, spikes[l], loop_bn)
                if t > 0:
                    m = m + potentials[l + 1]
                spikes[l + 1], potentials[l + 1] = fire(m, self.leak)
            s5 = spikes[4]
            rate = s5 if rate is None else (rate + s5 if self.leak == 1.0 else self.leak * rate + s5)
        return rate / ide.rate_normaliser(self.T, self.leak)

    @torch.no_grad()
    def simulate(self, x):
        update = "input_bn_double_update" in self.quirks   # B1 faithful
        current = self.input_current(x) if update else self.mask_x * ide.batch_stat_norm(self.fx(x), self.bn)
        return self.unrolled_rate(current, self.w_eff.detach(), ide.fire, loop_bn="running")

    def f(self, a, current, w, bn_mode, frozen=False):
        z = ((self.mask_s * self.feedback(a, w) + current) / ide.VTH).clamp(0.0, 1.0)
        for l in range(4):
            z = (self.loop_layer(l, z, bn_mode, frozen) / ide.VTH).clamp(0.0, 1.0)
        return z

    def map(self, a, x):
        """z = f_last(a) with autograd, every BN in train mode (spec §4.2 step 4, §4.3)."""
        return self.f(a, self.input_current(x), self.w_eff, "update")

    def frozen_map(self, x):
        """z -> f_last(z) of the frozen copy: loop BNs in eval mode (B11: batch statistics)."""
        with torch.no_grad():
            current = self.mask_x * ide.batch_stat_norm(self.fx(x), self.bn)
        w = self.w_eff.detach()
        mode = "batch" if "adjoint_loop_bn_train_mode" in self.quirks else "running"
        return lambda z: self.f(z, current, w, mode, frozen=True)


def make_model(name="alexnet_f", T=30, leak=0.99, classes=10, quirks=frozenset(), dtype=torch.float32):
    if name != "alexnet_f":
        raise ValueError(name)
    return AlexNetF(classes=classes, T=T, leak=leak, quirks=quirks).to(dtype)
