"""Correctness checks of ide_step.py, alexnet_f.py and stbp_step.py (small problems, float64,
seconds on one core).

1. parameter counts against spec §12.1 (F400, MNIST 64C5s, AlexNet-F CIFAR-10);
2. Broyden against torch.linalg.solve on random per-sample 6x6 systems (spec §12.5);
3. the IDE parameter gradient of a tiny FC, a tiny conv and a tiny AlexNet-F-pattern model against
   the gradient obtained from a dense solve of (I - J)^T beta = dL/da with explicit per-sample
   Jacobians (spec §12.4); for the FC model J is also built from its closed form
   diag(1[0<p<1] m_s / V_th) W_eff; for AlexNet-F under quirk B11 (loop BNs with batch statistics
   in J) the Jacobian couples the samples and the dense solve is over the whole batch;
4. STBP: the rectangular surrogate's values, the unrolled forward against the IDE simulation, and
   the parameter gradients of tiny FC (IF and LIF) and conv models against a naive numpy BPTT
   written independently: explicit per-step loops over a dense feedback matrix, the backward
   derived by hand;
5. STBP of a tiny AlexNet-F-pattern model (LIF, loop BNs in train mode at every step): every
   parameter tensor's gradient along a random direction against fourth-order central finite
   differences of the same unrolled loss with each spike linearised in the surrogate's window
   around the recorded membranes (a neuron step written here, independently of ide.fire and
   RectangularSpike).
"""
import copy

import numpy as np
import torch

import alexnet_f
import ide_step as ide
import stbp_step as stbp

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)
failures = 0


def check(name, ok, detail=""):
    global failures
    failures += not ok
    print(f"{'ok  ' if ok else 'FAIL'} {name} {detail}")


# 1. parameter counts
for name, make, want in [("fmnist_f400", ide.make_model, 478_811), ("mnist_64c5s_f64c5", ide.make_model, 229_643),
                         ("alexnet_f", alexnet_f.make_model, 3_709_515)]:
    n = sum(p.numel() for p in make(name).parameters())
    check(f"params {name}", n == want, f"{n} (spec {want})")

# 2. Broyden vs dense
torch.manual_seed(1)
B, D = 4, 6
J = 0.2 * torch.randn(B, D, D)
c = torch.randn(B, D)
dense = torch.linalg.solve(torch.eye(D) - J.transpose(1, 2), c)
for gemv in (False, True):
    ide.GEMV_BMM = gemv
    beta, iters, res = ide.broyden(lambda b: torch.einsum("bji,bj->bi", J, b) - b + c,
                                   torch.zeros(B, D), threshold=30)
    err = (beta - dense).abs().max().item()
    check(f"broyden vs dense solve (float64, gemv-shaped bmm {gemv})", err < 1e-8,
          f"max err {err:.2e}, iters {iters}, res {res:.1e}")
ide.GEMV_BMM = False
beta32, it32, res32 = ide.broyden(
    lambda b: torch.einsum("bji,bj->bi", J.float(), b) - b + c.float(), torch.zeros(B, D).float())
err32 = (beta32.double() - dense).abs().max().item()
check("broyden vs dense solve (float32)", err32 < 1e-4, f"max err {err32:.2e}, iters {it32}, res {res32:.1e}")


# 3. implicit gradient vs dense solve
def dense_solver(closed_form=False, coupled=False):
    def solve(model, a, x, grad_a, forced=False):
        f_frozen = model.frozen_map(x)
        w = model.w_eff.detach()
        Bn = a.shape[0]
        fa = lambda z: f_frozen(z.reshape_as(a)).reshape(-1)
        Jfull = torch.autograd.functional.jacobian(fa, a.detach().reshape(-1))
        Jfull = Jfull.reshape(Bn, model.dim, Bn, model.dim)
        blocks = torch.stack([Jfull[b, :, b] for b in range(Bn)])
        eye = torch.eye(Bn, dtype=torch.bool).reshape(Bn, 1, Bn, 1).expand_as(Jfull)
        off = Jfull.masked_fill(eye, 0.0).abs().sum().item()
        if coupled:
            check("  Jacobian couples the samples", off > 0.0, f"(off-block mass {off:.2e})")
            eye_full = torch.eye(Bn * model.dim)
            beta = torch.linalg.solve(eye_full - Jfull.reshape(Bn * model.dim, -1).T, grad_a.reshape(-1))
            return beta.reshape_as(a), 0, 0.0
        check("  Jacobian is block-diagonal over samples", off == 0.0, f"(off-block mass {off})")
        if closed_form:
            p = (model.mask_s * torch.nn.functional.linear(a, w)
                 + model.mask_x * ide.batch_stat_norm(model.fx(x), model.bn)) / ide.VTH
            d = ((p > 0) & (p < 1)).to(a.dtype) * model.mask_s / ide.VTH
            jc = d.unsqueeze(2) * w.unsqueeze(0)
            check("  autograd Jacobian = closed form", torch.allclose(jc, blocks, atol=1e-14))
        active = ((blocks.abs().sum(2) > 0).sum() / blocks.shape[0] / blocks.shape[1]).item()
        print(f"     fraction of rows with non-zero Jacobian: {active:.2f}")
        rhs = grad_a.reshape(Bn, -1)
        beta = torch.linalg.solve(torch.eye(model.dim) - blocks.transpose(1, 2), rhs)
        return beta.reshape_as(a), 0, 0.0
    return solve


def compare(name, model, x, y, closed_form=False, coupled=False):
    m1, m2 = model, copy.deepcopy(model)
    grads, runs = [], []
    for m, solver in [(m1, ide.adjoint_solver), (m2, dense_solver(closed_form, coupled))]:
        opt = torch.optim.SGD(m.parameters(), lr=0.0)
        torch.manual_seed(7)                    # same dropout masks for both runs
        r = ide.train_step(m, opt, x, y, solver=solver)
        grads.append({k: p.grad.clone() for k, p in m.named_parameters()})
        runs.append(r)
    print(f"     Broyden: {runs[0]['iters']} iterations, residual {runs[0]['residual']:.1e}")
    worst = 0.0
    scale = 1e-6 * sum(g.norm() ** 2 for g in grads[1].values()) ** 0.5
    for k in grads[0]:
        g1, g2 = grads[0][k], grads[1][k]
        # relative to the tensor's norm, floored at 1e-6 of the whole gradient (BN zeroes fx.bias')
        rel = ((g1 - g2).norm() / g2.norm().clamp_min(scale)).item()
        worst = max(worst, rel)
        print(f"     {k:22s} |g| {g2.norm().item():.3e}  rel diff {rel:.1e}")
    check(f"{name}: Broyden IDE gradient = dense-solve gradient", worst < 1e-6, f"(worst rel {worst:.1e})")
    nz = grads[1]["ws.g"].norm().item() > 0
    nz = nz and grads[1]["ws.weight"].norm().item() > 0 and grads[1]["fx.weight"].norm().item() > 0
    check(f"{name}: feedback, gain and input gradients non-zero", nz)


torch.manual_seed(3)
fc = ide.SingleLayerFSNN("fc", n_in=20, hidden=16, T=30)
fc.ws.g.data.fill_(0.9)  # |g| < 1 so that the gain's gradient path is exercised too
compare("tiny FC (20->16, T=30, B=6)", fc, torch.randn(6, 20), torch.randint(0, 10, (6,)), True)

torch.manual_seed(4)
conv = ide.SingleLayerFSNN("conv", c_in=1, channels=3, image=8, T=30)
conv.ws.g.data.fill_(0.9)
compare("tiny conv (1->3 k5 s2 on 8x8, T=30, B=3)", conv, torch.randn(3, 1, 8, 8),
        torch.randint(0, 10, (3,)), False)

for quirks, coupled in [(frozenset(), False), (frozenset({"adjoint_loop_bn_train_mode"}), True)]:
    torch.manual_seed(5)
    alex = alexnet_f.AlexNetF(channels=(3, 3, 2, 3, 3), image=8, T=30, leak=0.99, quirks=quirks)
    alex.ws.g.data.fill_(0.9)
    for bn in [alex.bn, *alex.loop_bn]:  # a non-trivial affine so that eval and train BN differ
        bn.weight.data.uniform_(0.5, 1.5)
        bn.bias.data.uniform_(-0.3, 0.3)
    mode = "B11, loop BN batch statistics in J" if coupled else "loop BN running statistics in J"
    compare(f"tiny AlexNet-F pattern (3-3-2-3-3 on 8x8, LIF 0.99, T=30, B=4; {mode})", alex,
            3.0 * torch.randn(4, 3, 8, 8), torch.randint(0, 10, (4,)), coupled=coupled)


# 4. STBP
m = torch.tensor([1.4, 1.5, 1.6, 2.0, 2.4, 2.5, 2.6], requires_grad=True)
s_out = stbp.spike(m)
s_out.sum().backward()
check("STBP surrogate: H(m - 2) forward, 1[|m - 2| < 1/2] backward",
      s_out.tolist() == [0, 0, 0, 1, 1, 1, 1] and m.grad.tolist() == [0, 0, 1, 1, 1, 0, 0],
      f"(s {s_out.tolist()}, ds/dm {m.grad.tolist()})")


def feedback_matrix(model, w):
    """The feedback as a dense D x D matrix K (numpy), built from the weights by explicit loops."""
    w = w.detach().numpy()
    if model.kind == "fc":
        return w.copy()
    C, H, W = model.state_shape
    K = np.zeros((C, H, W, C, H, W))
    k = w.shape[2] // 2
    for o in range(C):
        for i in range(H):
            for j in range(W):
                for c in range(C):
                    for di in range(w.shape[2]):
                        for dj in range(w.shape[3]):
                            ii, jj = i + di - k, j + dj - k
                            if 0 <= ii < H and 0 <= jj < W:
                                K[o, i, j, c, ii, jj] = w[o, c, di, dj]
    return K.reshape(C * H * W, C * H * W)


def fold_feedback_gradient(model, gK, shape):
    """dL/dw from dL/dK (the adjoint of feedback_matrix)."""
    if model.kind == "fc":
        return gK
    C, H, W = model.state_shape
    gK = gK.reshape(C, H, W, C, H, W)
    g = np.zeros(shape)
    k = shape[2] // 2
    for o in range(C):
        for c in range(C):
            for di in range(shape[2]):
                for dj in range(shape[3]):
                    for i in range(H):
                        for j in range(W):
                            ii, jj = i + di - k, j + dj - k
                            if 0 <= ii < H and 0 <= jj < W:
                                g[o, c, di, dj] += gK[o, i, j, c, ii, jj]
    return g


def naive_bptt(current, K, mask, T, leak, C, c, labels):
    """Loss and dL/d(current, K, C, c) of the unrolled simulation (spec §2.1-2.3) with the
    rectangular surrogate, per-step loops in numpy float64.  current, mask: [B, D]; K: [D, D]."""
    B, D = current.shape
    window = lambda m: (np.abs(m - ide.VTH) < stbp.SURROGATE_WIDTH / 2) / stbp.SURROGATE_WIDTH
    ms, ss = [], []
    v = np.zeros((B, D))
    s = np.zeros((B, D))
    for t in range(T):
        m = current.copy() if t == 0 else v + mask * (s @ K.T) + current
        s = (m >= ide.VTH).astype(float)
        v = leak * (m - ide.VTH * s)
        ms.append(m)
        ss.append(s)
    norm = T if leak == 1.0 else (1 - leak ** T) / (1 - leak)
    a = sum(leak ** (T - 1 - t) * ss[t] for t in range(T)) / norm
    logits = a @ C.T + c
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    loss = -np.mean(np.log(p[np.arange(B), labels]))
    g_logits = (p - np.eye(C.shape[0])[labels]) / B
    gC, gc, ga = g_logits.T @ a, g_logits.sum(0), g_logits @ C
    g_current, gK = np.zeros((B, D)), np.zeros((D, D))
    g_next = None                                    # dL/dm[t+1]
    for t in reversed(range(T)):
        gs = ga * leak ** (T - 1 - t) / norm         # through the readout
        gv = np.zeros((B, D))
        if g_next is not None:                       # m[t+1] = v[t] + mask ⊙ K s[t] + I
            gv = g_next
            gs += (mask * g_next) @ K
            gK += (mask * g_next).T @ ss[t]
        gs += -ide.VTH * leak * gv                   # v[t] = λ (m[t] - V_th s[t])
        gm = leak * gv + gs * window(ms[t])
        g_current += gm
        g_next = gm
    return loss, g_current, gK, gC, gc, np.mean([window(m_t) for m_t in ms])


def stbp_and_twin(model, x, labels):
    """One STBP iteration of `model` (lr 0: gradients only) and its result, and a copy of the model
    as it was, reset to the same per-batch state (masks, power iteration, W_eff)."""
    m1, m2 = model, copy.deepcopy(model)
    opt = torch.optim.SGD(m1.parameters(), lr=0.0)
    torch.manual_seed(7)
    r = stbp.train_step(m1, opt, x, labels)
    torch.manual_seed(7)
    m2.train()
    m2.reset(x.shape[0])
    return m1, r, m2


def compare_stbp(name, model, x, labels):
    m1, r, m2 = stbp_and_twin(model, x, labels)
    current, w = m2.input_current(x), m2.w_eff
    B = x.shape[0]
    with torch.no_grad():
        rate = m2.unrolled_rate(current, w, stbp.fire)
        check(f"{name}: STBP forward rate = IDE simulation rate",
              torch.equal(rate, m2.simulate(x)), f"(mean rate {rate.mean().item():.3f})")
    loss, g_current, gK, gC, gc, in_window = naive_bptt(
        current.detach().reshape(B, -1).numpy(), feedback_matrix(m2, w), m2.mask_s.reshape(B, -1).numpy(),
        m2.T, m2.leak, m2.classifier.weight.detach().numpy(), m2.classifier.bias.detach().numpy(), labels.numpy())
    # the naive BPTT's dL/d(current, W_eff) pushed through the same BN/spectral autograd graph
    torch.autograd.backward([current, w], [torch.from_numpy(g_current).reshape_as(current),
                                           torch.from_numpy(fold_feedback_gradient(m2, gK, tuple(w.shape)))])
    m2.classifier.weight.grad = torch.from_numpy(gC)
    m2.classifier.bias.grad = torch.from_numpy(gc)
    print(f"     loss {r['loss']:.6f} (naive {loss:.6f}); (neuron, step) pairs in the surrogate window {in_window:.2f}")
    worst = abs(r["loss"] - loss) / abs(loss)
    scale = 1e-6 * sum(p.grad.norm() ** 2 for p in m2.parameters()) ** 0.5
    for (k, p1), p2 in zip(m1.named_parameters(), m2.parameters()):
        # relative to the tensor's norm, floored at 1e-6 of the whole gradient (BN zeroes fx.bias')
        rel = ((p1.grad - p2.grad).norm() / p2.grad.norm().clamp_min(scale)).item()
        worst = max(worst, rel)
        print(f"     {k:22s} |g| {p2.grad.norm().item():.3e}  rel diff {rel:.1e}")
    check(f"{name}: STBP gradient = naive BPTT gradient", worst < 1e-10, f"(worst rel {worst:.1e})")
    nz = all(p.grad.norm() > 0 for k, p in m2.named_parameters() if k in ("ws.g", "ws.weight", "fx.weight"))
    check(f"{name}: feedback, gain and input gradients non-zero", nz and in_window > 0)


for kind, leak, T in [("fc", 1.0, 8), ("fc", 0.9, 8), ("conv", 1.0, 6)]:
    torch.manual_seed(11)
    if kind == "fc":
        model = ide.SingleLayerFSNN("fc", n_in=20, hidden=16, T=T, leak=leak)
        x = 2.0 * torch.randn(6, 20)
        label = f"tiny FC STBP (20->16, {'IF' if leak == 1 else f'LIF {leak}'}, T={T}, B=6)"
    else:
        model = ide.SingleLayerFSNN("conv", c_in=1, channels=3, image=8, T=T, leak=leak)
        x = 2.0 * torch.randn(3, 1, 8, 8)
        label = f"tiny conv STBP (1->3 k5 s2 on 8x8, IF, T={T}, B=3)"
    model.ws.g.data.fill_(0.9)
    compare_stbp(label, model, x, torch.randint(0, 10, (x.shape[0],)))



# 5. STBP of AlexNet-F against finite differences of its linearised unrolled loss
class LinearisedSpikes:
    """A neuron step fire(m, λ) -> (s, v) written from spec §2.1/§2.2 and §10, independently of
    ide.fire and RectangularSpike.  `record` takes the spike H(m - V_th) and keeps m; `replay` takes,
    at the k-th call, the k-th recorded membrane m0 and the spike linearised in the surrogate's
    window, s = H(m0 - V_th) + (m - m0) 1[|m0 - V_th| < a/2] / a.  The replayed loss equals the
    recorded one at the recording point, and its ordinary derivative is STBP's surrogate gradient
    there, so finite differences of it check the autograd graph."""

    def __init__(self):
        self.membranes, self.calls = [], 0

    def step(self, m, s, leak):
        v = m - ide.VTH * s
        return s, (v if leak == 1.0 else leak * v)

    def record(self, m, leak):
        self.membranes.append(m.detach().clone())
        return self.step(m, (m >= ide.VTH).to(m.dtype), leak)

    def replay(self, m, leak):
        m0 = self.membranes[self.calls % len(self.membranes)]
        self.calls += 1
        window = ((m0 - ide.VTH).abs() < stbp.SURROGATE_WIDTH / 2).to(m.dtype) / stbp.SURROGATE_WIDTH
        return self.step(m, (m0 >= ide.VTH).to(m.dtype) + (m - m0) * window, leak)

    def in_window(self):
        return torch.cat([((m - ide.VTH).abs() < stbp.SURROGATE_WIDTH / 2).flatten() for m in self.membranes]
                         ).double().mean().item()


def compare_stbp_finite_differences(name, model, x, labels, h=5e-4):
    m1, r, m2 = stbp_and_twin(model, x, labels)
    spikes = LinearisedSpikes()
    loss = lambda fire: stbp.loss(m2, x, labels, m2.ws.effective(iters=0), fire).item()
    with torch.no_grad():
        recorded = loss(spikes.record)
        replayed = loss(spikes.replay)
        check(f"{name}: loss = recorded loss = replayed loss", r["loss"] == recorded == replayed,
              f"({r['loss']:.17g}, {recorded:.17g}, {replayed:.17g}; (neuron, step) pairs in the surrogate window "
              f"{spikes.in_window():.2f})")
        total = sum(p.grad.norm() ** 2 for p in m1.parameters()) ** 0.5
        generator = torch.Generator().manual_seed(17)
        worst = 0.0
        for (k, p1), p2 in zip(m1.named_parameters(), m2.parameters()):
            direction = torch.randn(p2.shape, generator=generator)
            direction /= direction.norm()
            values = []
            for step in (-2, -1, 1, 2):               # fourth-order central differences along the direction
                p2.add_(step * h * direction)
                values.append(loss(spikes.replay))
                p2.sub_(step * h * direction)
            difference = (values[0] - 8 * values[1] + 8 * values[2] - values[3]) / (12 * h)
            autograd = (p1.grad * direction).sum().item()
            # relative to the tensor's gradient norm, floored at 1e-6 of the whole gradient (a conv
            # bias in front of a train-mode BN has a vanishing gradient)
            rel = abs(difference - autograd) / max(p1.grad.norm().item(), 1e-6 * total.item())
            worst = max(worst, rel)
            print(f"     {k:22s} |g| {p1.grad.norm().item():.3e}  g·d {autograd: .6e}  difference {difference: .6e}  "
                  f"rel {rel:.1e}")
    check(f"{name}: STBP gradient = finite differences of the linearised loss", worst < 1e-6, f"(worst rel {worst:.1e})")
    nz = all(p.grad.norm() > 0 for k, p in m1.named_parameters() if k in ("ws.g", "ws.weight", "fx.weight"))
    check(f"{name}: feedback, gain and input gradients non-zero", nz)


torch.manual_seed(13)
alex = alexnet_f.AlexNetF(channels=(3, 3, 2, 3, 3), image=8, T=8, leak=0.99)
alex.ws.g.data.fill_(0.9)
for bn in [alex.bn, *alex.loop_bn]:
    bn.weight.data.uniform_(0.5, 1.5)
    bn.bias.data.uniform_(-0.3, 0.3)
compare_stbp_finite_differences("tiny AlexNet-F pattern STBP (3-3-2-3-3 on 8x8, LIF 0.99, T=8, B=4)", alex,
                                3.0 * torch.randn(4, 3, 8, 8), torch.randint(0, 10, (4,)))

print(f"{'all checks passed' if failures == 0 else f'{failures} check(s) failed'}")
raise SystemExit(failures != 0)
