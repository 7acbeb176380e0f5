#!/usr/bin/env python3
"""Time the released code's N-MNIST training iteration on the batches a file names: the PyTorch side
of `make bench-compare`'s nmnist-ide (tools/bench-compare/bench_compare.py), with the options of
`fsnn bench train` plus --released PATH (a pkuxmq/IDE-FSNN checkout, run on the CPU by released.py).

The released nmnist_conv.py's model and step, on fsnn's frames of the same samples:

* model: its SNNIDEConvNet configured as the script configures it (spec §5.3, §7: 2×34×34 input,
  Conv 2→64 k5 s2 padding 1 + BN + dropout 0.2, 16×16 map, feedback Conv 64→64 k5 p2 with the
  reshaped-kernel spectral norm, V_th 2, T steps, IF or LIF λ, the "iter" adjoint solver with 30
  iterations), wrapped in torch.nn.DataParallel as the script does (no device: it calls the model);
  SGD lr 0.05, momentum 0.9, weight decay 5e-4, cross-entropy; seed 0;
* one iteration, as the script's training loop: outputs = model(inputs, input_type='spikes'),
  loss, zero_grad, backward, step (its accuracy bookkeeping and progress bar are left out);
* inputs: not the script's loader, which reads TSSL-BP's converted text files (2312_3000_stable),
  but the same encoding computed from the original .bin files exactly as fsnn computes it
  (data.py's load_nmnist, spec §8.4): frames [B, 2, 34, 34, T] (polarity, x, y, t), as the loader's
  batches are laid out, last frame empty.

Timing split: simulate = the forward (the simulation without graph, the map application, the
classifier) and the loss; solve = the released adjoint node's backward (its graph at the rates and
the 30 "iter" steps), timed by wrapping that function; rest = the remaining backward, zero_grad and
the optimizer step. The options must describe the released code: model nmnist_64c5s_f64c5_p1,
method ide, the quirks B3 nmnist_iter_solver_2I, B6 nmnist_input_conv_pad1, B9
spectral_reshaped_kernel_norm, and for LIF also B2 lif_input_average_alias; anything else is refused.
"""
import contextlib
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pytorch-baseline"))
import bench_batches  # noqa: E402  (the option list, batches check, timing loop and output)
import data as datasets  # noqa: E402  (N-MNIST frames as fsnn reads them)
import released  # noqa: E402

MODEL = "nmnist_64c5s_f64c5_p1"
# What the released N-MNIST code does, by fsnn's quirk names, per neuron.
RELEASED_QUIRKS = {"if": {"nmnist_iter_solver_2I", "nmnist_input_conv_pad1", "spectral_reshaped_kernel_norm"}}
RELEASED_QUIRKS["lif"] = RELEASED_QUIRKS["if"] | {"lif_input_average_alias"}
ITER_SOLVER_STEPS = 30          # the script's config['MODEL']['threshold']


def released_model(reference, time_steps, leak):
    """nmnist_conv.py's network: SNNIDEConvNet with the script's configuration (leak None for IF)."""
    config = {"MODEL": {"c_in": 2, "c_hidden": 64, "num_classes": 10, "kernel_size_x": 5, "stride_x": 2,
                        "padding_x": 1, "pooling_x": False, "kernel_size_s": 5, "h_hidden": 16, "w_hidden": 16,
                        "dropout": 0.2, "threshold": ITER_SOLVER_STEPS, "time_step": time_steps, "vth": 2.0,
                        "leaky": leak},
              "OPTIM": {"solver": "iter"}}
    return reference.module("models.snn_ide_conv").SNNIDEConvNet(config)


class Stopwatch:
    """Seconds spent in a function, summed until taken."""

    def __init__(self):
        self.seconds = 0.0

    def timed(self, function):
        def run(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
        return run

    def take(self):
        seconds, self.seconds = self.seconds, 0.0
        return seconds


@contextlib.contextmanager
def timing_backward(function_class, stopwatch):
    """The autograd Function's backward timed by `stopwatch` while the block runs."""
    original = vars(function_class)["backward"]
    function_class.backward = staticmethod(stopwatch.timed(original.__func__))
    try:
        yield
    finally:
        function_class.backward = original


def main():
    p = bench_batches.option_parser(__doc__.split("\n\n")[0], [MODEL], methods=["ide"])
    p.add_argument("--released", required=True, help="the pkuxmq/IDE-FSNN checkout")
    args = p.parse_args()
    quirks = set(args.quirk)
    if quirks != RELEASED_QUIRKS[args.neuron]:
        p.error(f"the released N-MNIST code with {args.neuron.upper()} neurons is fsnn's quirks "
                f"{', '.join(sorted(RELEASED_QUIRKS[args.neuron]))}; given: {', '.join(sorted(quirks)) or 'none'}")
    if args.lr_warmup:
        p.error("the released N-MNIST script has no learning-rate warm-up")
    dataset, batches = bench_batches.checked_batches(p, args)
    if dataset != "nmnist":
        p.error(f"{args.batches}: dataset {dataset}; the released N-MNIST step reads nmnist")

    try:
        with released.code(args.released) as reference:
            rows = run(args, reference, batches)
    except (released.ReleasedCodeError, datasets.DataError) as error:
        raise SystemExit(f"bench_released.py: {error}")
    bench_batches.print_result(rows)


def run(args, reference, batches):
    """The timed iterations' lists (bench_batches.time_iterations) of the released step."""
    torch.set_num_threads(args.threads)
    frames, labels = datasets.load_nmnist("train", args.data_dir, args.T)
    leak = args.lambda_ if args.neuron == "lif" else None

    def batch_of(indices):
        """[B, 2, 34, 34, T] float32, contiguous as the script's loader stacks its samples."""
        x = np.ascontiguousarray(frames[indices].transpose(0, 2, 3, 4, 1))
        return torch.from_numpy(x).float(), torch.from_numpy(labels[indices])

    torch.manual_seed(0)
    model = torch.nn.DataParallel(released_model(reference, args.T, leak))
    if model.device_ids:
        raise SystemExit(f"torch.nn.DataParallel found devices {model.device_ids}; the CPU step cannot be timed")
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    solve = Stopwatch()

    def step(i, x, y):
        model.train()
        t0 = time.perf_counter()
        loss = F.cross_entropy(model(x, input_type="spikes"), y)
        t1 = time.perf_counter()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        t2 = time.perf_counter()
        solved = solve.take()
        return {"simulate": t1 - t0, "solve": solved, "rest": t2 - t1 - solved, "total": t2 - t0,
                "loss": loss.item(), "iters": ITER_SOLVER_STEPS}

    backward_node = reference.module("modules.snnide_module").SNNIDEModule.Backward
    with timing_backward(backward_node, solve):
        return bench_batches.time_iterations(batches, args.warmups, batch_of, step)


if __name__ == "__main__":
    main()
