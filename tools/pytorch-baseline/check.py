"""Correctness checks for ide_step.py (small problems, float64, a few seconds on one core).

1. parameter counts against spec §12.1;
2. Broyden against torch.linalg.solve on random per-sample 6x6 systems (spec §12.5);
3. the IDE parameter gradient of a tiny FC and a tiny conv model against the gradient obtained
   from a dense solve of (I - J)^T beta = dL/da with explicit per-sample Jacobians (spec §12.4);
   for the FC model J is also built from its closed form diag(1[0<p<1] m_s / V_th) W_eff.
"""
import copy

import torch

import ide_step as ide

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)
failures = 0


def check(name, ok, detail=""):
    global failures
    failures += not ok
    print(f"{'ok  ' if ok else 'FAIL'} {name} {detail}")


# 1. parameter counts
for name, want in [("fmnist_f400", 478_811), ("mnist_64c5s_f64c5", 229_643)]:
    n = sum(p.numel() for p in ide.make_model(name).parameters())
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
def dense_solver(closed_form):
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


def compare(name, model, x, y, closed_form):
    m1, m2 = model, copy.deepcopy(model)
    grads, runs = [], []
    for m, solver in [(m1, ide.adjoint_solver), (m2, dense_solver(closed_form))]:
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

print(f"{'all checks passed' if failures == 0 else f'{failures} check(s) failed'}")
raise SystemExit(failures != 0)
