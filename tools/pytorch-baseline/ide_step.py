"""One IDE training iteration in PyTorch (CPU), written from shared/spec/IDE-FSNN.md.

Reference-style wiring (spec §4.2, §4.10): per batch resample the dropout masks and run one power
iteration; simulate T IF/LIF steps under no_grad; one autograd application z = f(a); dL/da from
the classifier; Broyden on G(beta) = J^T beta - beta + dL/da with VJPs of a frozen copy of f at a
(torch.autograd.grad); z.backward(beta); SGD step.  The single-layer models live here; the
multi-layer AlexNet-F (alexnet_f.py) has the same interface (reset, simulate, map, frozen_map,
classifier, quirks) and uses the same train_step.  Not derived from the reference code.
"""
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

VTH = 2.0
GEMV_BMM = False  # True: Broyden's low-rank products as [B,k,D] x [B,D,1] bmm (slower, see README)
# Reference-code behaviours (spec §11) the baseline can reproduce, by fsnn's quirk names; a model
# holds the set it was built with.  The reshaped-kernel spectral norm (B9) is the only spectral
# norm implemented here, so convolutional models need that quirk (bench_batches.py checks).
QUIRKS = {"input_bn_double_update",          # B1
          "broyden_neg_first_step",          # B7
          "spectral_reshaped_kernel_norm",   # B9
          "adjoint_loop_bn_train_mode"}      # B11 (multi-layer models only)
REFERENCE_QUIRKS = frozenset({"input_bn_double_update", "broyden_neg_first_step", "spectral_reshaped_kernel_norm"})


def unit_rows_uniform_(w, axis=0):
    """Spec §6.4: U(-1, 1), then each output unit's weight vector (the slices along `axis`, 0
    for Linear/Conv2d, 1 for ConvTranspose2d) rescaled to unit L2 norm."""
    with torch.no_grad():
        w.uniform_(-1.0, 1.0)
        dims = [d for d in range(w.dim()) if d != axis]
        w.div_(torch.linalg.vector_norm(w, dim=dims, keepdim=True))


def heaviside(m):
    """s = H(m - V_th) (spec §2.1)."""
    return (m >= VTH).to(m.dtype)


def fire(m, leak, spike=heaviside):
    """Spike s = spike(m) and post-reset potential v = λ (m - V_th s) (spec §2.1, §2.2); STBP passes
    the surrogate spike (stbp_step.py), whose forward is H."""
    s = spike(m)
    v = m - VTH * s
    return s, (v if leak == 1.0 else leak * v)


def rate_normaliser(T, leak):
    """Λ_T of spec §2.3: T for IF, (1 - λ^T) / (1 - λ) for LIF."""
    return float(T) if leak == 1.0 else (1.0 - leak ** T) / (1.0 - leak)


def batch_stat_norm(y, bn, detach=False):
    """Train-mode BN with the batch statistics of y, running statistics left untouched."""
    w, b = (bn.weight.detach(), bn.bias.detach()) if detach else (bn.weight, bn.bias)
    return F.batch_norm(y, None, None, w, b, training=True, eps=bn.eps)


class SpectralWeight(nn.Module):
    """W_eff = clamp(g, -1, 1) * W / sigma, sigma = u^T W v of the reshaped matrix (spec §6.1,
    quirk B9): rows = shape[0] (Linear/Conv2d: out; ConvTranspose2d: in), cols = the rest."""

    def __init__(self, shape, output_axis=0):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(shape))
        unit_rows_uniform_(self.weight, output_axis)
        rows, cols = shape[0], self.weight[0].numel()
        self.register_buffer("u", F.normalize(torch.randn(rows), dim=0))
        self.register_buffer("v", F.normalize(torch.randn(cols), dim=0))
        self.g = nn.Parameter(self.power_iteration(10).detach().reshape(1))

    def power_iteration(self, iters=1):
        w = self.weight.reshape(self.weight.shape[0], -1)
        with torch.no_grad():
            for _ in range(iters):
                self.v.copy_(F.normalize(w.t() @ self.u, dim=0))
                self.u.copy_(F.normalize(w @ self.v, dim=0))
        return self.u @ (w @ self.v)  # sigma, with gradient w.r.t. W

    def effective(self, iters=1):
        """W_eff after `iters` power iterations on u, v (0: σ̂ = uᵀWv from the present u, v)."""
        sigma = self.power_iteration(iters)
        return self.g.clamp(-1.0, 1.0) * self.weight / sigma


class SingleLayerFSNN(nn.Module):
    """Single-layer feedback SNN (spec §5.1, §5.2): F = FC/conv + BN (+ dropout), W = spectral
    FC/conv (+ dropout); IF (leak 1) or LIF (leak λ < 1).  Shared by IDE and STBP."""

    def __init__(self, kind, n_in=784, hidden=400, c_in=1, channels=64, image=28, T=5, leak=1.0, drop=0.2,
                 classes=10, quirks=frozenset()):
        super().__init__()
        self.kind, self.T, self.leak, self.drop, self.quirks = kind, T, leak, drop, frozenset(quirks)
        if kind == "fc":
            self.fx = nn.Linear(n_in, hidden)
            self.bn = nn.BatchNorm1d(hidden)
            self.ws = SpectralWeight((hidden, hidden))
            self.state_shape = (hidden,)
        else:
            self.fx = nn.Conv2d(c_in, channels, 5, stride=2, padding=2)
            self.bn = nn.BatchNorm2d(channels)
            self.ws = SpectralWeight((channels, channels, 5, 5))
            side = (image + 2 * 2 - 5) // 2 + 1
            self.state_shape = (channels, side, side)
        unit_rows_uniform_(self.fx.weight)
        nn.init.zeros_(self.fx.bias)
        self.dim = int(torch.tensor(self.state_shape).prod())
        self.classifier = nn.Linear(self.dim, classes)  # PyTorch default init

    # -- per-batch state (spec §4.10 step 1) --
    def reset(self, batch):
        shape = (batch, *self.state_shape)
        keep = 1.0 - self.drop
        self.mask_x = torch.bernoulli(torch.full(shape, keep)) / keep
        self.mask_s = torch.bernoulli(torch.full(shape, keep)) / keep
        self.w_eff = self.ws.effective()

    def feedback(self, s, w):
        return F.linear(s, w) if self.kind == "fc" else F.conv2d(s, w, padding=2)

    def input_current(self, x):
        return self.mask_x * self.bn(self.fx(x))  # train-mode BN: batch statistics, running stats updated

    def f(self, a, current, w):
        return ((self.mask_s * self.feedback(a, w) + current) / VTH).clamp(0.0, 1.0)

    def map(self, a, x):
        """z = f(a) with autograd, input BN in train mode (spec §4.2 step 4)."""
        return self.f(a, self.input_current(x), self.w_eff)

    def frozen_map(self, x):
        """z -> f(z) of a frozen copy: same masks, batch-statistics current and W_eff, no parameter graph."""
        with torch.no_grad():
            current = self.mask_x * batch_stat_norm(self.fx(x), self.bn)
        w = self.w_eff.detach()
        return lambda z: self.f(z, current, w)

    # -- spec §2.1-2.3 / §2.5, subtract reset --
    def unrolled_rate(self, current, w, fire):
        """The rate a[T] (spec §2.3) of T steps of spec §2.1/§2.2 from the input current [B, *state]
        injected at every step and the feedback weight w, the spike and reset by fire(m, λ) -> (s, v).
        Written out of place so that autograd can record it: STBP (stbp_step.py) runs it with the
        surrogate spike, the IDE simulation without graph and with the Heaviside spike."""
        m = current
        s, v = fire(m, self.leak)
        rate = s
        for _ in range(1, self.T):
            m = v + self.mask_s * self.feedback(s, w) + current
            s, v = fire(m, self.leak)
            rate = rate + s if self.leak == 1.0 else self.leak * rate + s
        return rate / rate_normaliser(self.T, self.leak)

    @torch.no_grad()
    def simulate(self, x):
        # B1 faithful: the simulation's train-mode BN also updates the running statistics.
        update = "input_bn_double_update" in self.quirks
        current = self.input_current(x) if update else self.mask_x * batch_stat_norm(self.fx(x), self.bn)
        return self.unrolled_rate(current, self.w_eff.detach(), fire)


def broyden(g_fn, x0, threshold=30, eps=2e-10, forced=False, neg_first_step=False):
    """Broyden root finder of spec §4.4 on per-sample vectors x of shape [B, D].

    Inverse-Jacobian approximation H = -I + sum_i u_i v_i^T per sample, m = min(threshold, 27)
    pairs stored cyclically; global norms for stopping and for the best iterate.
    Returns (best x, iterations run, best residual norm).
    """
    B, D = x0.shape
    mem = min(threshold, 27)
    Us = torch.zeros(B, mem, D, dtype=x0.dtype)
    Vs = torch.zeros(B, mem, D, dtype=x0.dtype)
    tol = eps * (B * D) ** 0.5

    def products(k, y, P, Q):  # -y + sum_i P_i (Q_i . y), per sample
        if k == 0:
            return -y
        if GEMV_BMM:  # matrix x column-vector bmm: a slow path of PyTorch's CPU bmm
            c = torch.bmm(Q[:, :k], y.unsqueeze(2))                                # [B,k,1]
            return -y + torch.bmm(P[:, :k].transpose(1, 2), c).squeeze(2)
        c = torch.bmm(y.unsqueeze(1), Q[:, :k].transpose(1, 2))                    # [B,1,k]
        return -y + torch.bmm(c, P[:, :k]).squeeze(1)                              # row forms

    matvec = lambda k, y: products(k, y, Us, Vs)   # H y
    rmatvec = lambda k, y: products(k, y, Vs, Us)  # y^T H

    x = x0
    gx = g_fn(x)
    init_norm = gx.norm().item()
    best_x, best_norm = x, init_norm
    step = -gx if neg_first_step else gx  # B7: the reference's first step is -G(0)
    n = 0
    while n < threshold:
        n += 1
        xn = x + step
        gn = g_fn(xn)
        dx, dg = xn - x, gn - gx
        x, gx = xn, gn
        norm = gx.norm().item()
        if norm < best_norm:
            best_x, best_norm = x, norm
        if norm < tol and not forced:
            break
        if norm > 1e6 * init_norm:  # protective break
            break
        k = min(n - 1, mem)
        vT = rmatvec(k, dx)
        hdg = matvec(k, dg)
        denom = (vT * dg).sum(1, keepdim=True)
        u = (dx - hdg) / denom
        u = torch.where(torch.isnan(u), torch.zeros_like(u), u)
        vT = torch.where(torch.isnan(vT), torch.zeros_like(vT), vT)
        slot = (n - 1) % mem
        Us[:, slot] = u
        Vs[:, slot] = vT
        step = -matvec(min(n, mem), gx)
    return best_x, n, best_norm


def adjoint_solver(model, a, x, grad_a, forced=False, threshold=30):
    """Solve (I - J)^T beta = dL/da by Broyden, J = df/da of the model's frozen copy of f at a."""
    f_frozen = model.frozen_map(x)
    a0 = a.detach().requires_grad_()
    y = f_frozen(a0) - a0                                  # graph built once at z = a
    B = a.shape[0]
    c = grad_a.reshape(B, -1)

    def G(beta):                                           # (J - I)^T beta + dL/da
        vjp, = torch.autograd.grad(y, a0, beta.reshape_as(a0), retain_graph=True)
        return vjp.reshape(B, -1) + c

    beta, iters, res = broyden(G, torch.zeros_like(c), threshold=threshold, forced=forced,
                               neg_first_step="broyden_neg_first_step" in model.quirks)
    return beta.reshape_as(a), iters, res


def make_model(name, T=None, leak=1.0, quirks=frozenset(), dtype=torch.float32):
    """A single-layer zoo model by fsnn's name; T defaults to the paper's (spec §7)."""
    if name == "fmnist_f400":
        return SingleLayerFSNN("fc", n_in=784, hidden=400, T=T or 5, leak=leak, quirks=quirks).to(dtype)
    if name == "mnist_64c5s_f64c5":
        return SingleLayerFSNN("conv", c_in=1, channels=64, image=28, T=T or 30, leak=leak, quirks=quirks).to(dtype)
    raise ValueError(name)


def make_optimizer(model, lr=0.05):
    """Spec §4.10 step 6: SGD, momentum 0.9, weight decay 5e-4 on every parameter (PyTorch semantics)."""
    return torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4)


def set_warmup_lr(opt, iteration, lr=0.05, warmup=400):
    """CIFAR's linear warm-up (spec §7): lr (i + 1) / 400 for iteration i < 400, then lr."""
    for group in opt.param_groups:
        group["lr"] = lr * (iteration + 1) / warmup if iteration < warmup else lr


def train_step(model, opt, x, y, forced=False, solver=adjoint_solver):
    """One IDE iteration (spec §4.10) of a single- or multi-layer model.  Returns the timings (s)
    of its phases, the loss and the solver's iterations and residual."""
    t0 = time.perf_counter()
    model.train()
    model.reset(x.shape[0])
    a = model.simulate(x)                                   # no-grad forward
    t1 = time.perf_counter()
    opt.zero_grad(set_to_none=True)
    z = model.map(a, x)                                     # autograd application, train BN
    a_out = a.detach().requires_grad_()                     # forward value = simulated rate
    loss = F.cross_entropy(model.classifier(a_out.flatten(1)), y)
    loss.backward()                                         # classifier grads and dL/da
    t2 = time.perf_counter()
    beta, iters, res = solver(model, a, x, a_out.grad, forced=forced)
    t3 = time.perf_counter()
    z.backward(beta)                                        # beta^T df/dtheta
    opt.step()
    t4 = time.perf_counter()
    return {"simulate": t1 - t0, "solve": t3 - t2, "rest": (t2 - t1) + (t4 - t3),
            "total": t4 - t0, "loss": loss.item(), "iters": iters, "residual": res}


if __name__ == "__main__":
    import argparse

    p = argparse.ArgumentParser(description="run a few IDE iterations on random data")
    p.add_argument("--model", default="fmnist_f400", choices=["fmnist_f400", "mnist_64c5s_f64c5"])
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--iters", type=int, default=3)
    p.add_argument("--forced", action="store_true", help="always run 30 Broyden iterations")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = make_model(args.model, quirks=REFERENCE_QUIRKS)
    opt = make_optimizer(model)
    shape = (784,) if args.model == "fmnist_f400" else (1, 28, 28)
    for i in range(args.iters):
        x = torch.randn(args.batch, *shape)
        y = torch.randint(0, 10, (args.batch,))
        r = train_step(model, opt, x, y, forced=args.forced)
        print({k: (round(v * 1e3, 2) if k in ("simulate", "solve", "rest", "total") else v)
               for k, v in r.items()})
