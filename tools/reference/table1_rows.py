"""The Table 1 rows the released code can run, as fsnn's experiment file names them, and what its
training scripts are given and must have parsed for each: the paper protocol of spec §7, which is
their defaults, with the row's neuron and the run's seed and epochs.

Used by run_table1.py (to run a script) and work_folder.py (to write its result file); needs nothing
beyond the standard library.
"""

import json
import os

TABLE = "table1"
REFERENCE_FOLDER = "reference"  # <results>/<table>/<row>/reference/seed-<k>.h5


class ArgumentsError(Exception):
    pass


class Row:
    """A Table 1 row as experiments/table1_mnist_fmnist.yaml defines it, and the released script
    that trains its network."""

    def __init__(self, script, dataset, model, neuron, leak, time_steps, label):
        self.script, self.dataset, self.model = script, dataset, model
        self.neuron, self.leak, self.time_steps, self.label = neuron, leak, time_steps, label


ROWS = {
    "mnist-if": Row("mnist_conv.py", "mnist", "mnist_64c5s_f64c5", "if", 1.0, 30, "MNIST · 64C5s (F64C5) · IF · T=30"),
    "mnist-lif": Row("mnist_conv.py", "mnist", "mnist_64c5s_f64c5", "lif", 0.95, 30,
                     "MNIST · 64C5s (F64C5) · LIF λ=0.95 · T=30"),
    "fmnist-if": Row("fashionmnist_fc.py", "fashion-mnist", "fmnist_f400", "if", 1.0, 5,
                     "Fashion-MNIST · 400 (F400) · IF · T=5"),
    "fmnist-lif": Row("fashionmnist_fc.py", "fashion-mnist", "fmnist_f400", "lif", 0.95, 5,
                      "Fashion-MNIST · 400 (F400) · LIF λ=0.95 · T=5"),
}

# The paper protocol (spec §7), which the released scripts' defaults are: argument name -> value.
PAPER_ARGUMENTS = {"vth": 2.0, "drop": 0.2, "optimizer": "SGD", "lr": 0.05, "momentum": 0.9,
                   "weight_decay": 5e-4, "schedule": [30, 60, 90], "gamma": 0.1, "epochs": 100,
                   "train_batch": 128, "test_batch": 200, "start_epoch": 0, "resume": "", "evaluate": False}
# Fixed inside the scripts: Broyden (config['OPTIM']['solver'] = 'broy'), at most 30 iterations
# (config['MODEL']['threshold']); no augmentation, ten classes.
SOLVER, SOLVER_MAX_ITERATIONS, CLASSES = "broyden", 30, 10


def settings(row, epochs):
    """The run's settings under fsnn's keys and in its order (docs/experiment-files.md): the released
    defaults with the row's neuron and time steps, and `epochs`."""
    paper = PAPER_ARGUMENTS
    return [("dataset", row.dataset), ("augmentation", 0), ("model", row.model), ("classes", CLASSES),
            ("neuron", row.neuron), ("lambda", row.leak), ("time_steps", row.time_steps),
            ("threshold", paper["vth"]), ("dropout", paper["drop"]), ("method", "ide"), ("solver", SOLVER),
            ("solver_max_iterations", SOLVER_MAX_ITERATIONS), ("optimizer", paper["optimizer"].lower()),
            ("learning_rate", paper["lr"]), ("momentum", paper["momentum"]), ("weight_decay", paper["weight_decay"]),
            ("milestones", paper["schedule"]), ("gamma", paper["gamma"]), ("warmup_iterations", 0),
            ("epochs", epochs), ("batch_size", paper["train_batch"]), ("test_batch_size", paper["test_batch"])]


def profile(epochs):
    """`paper` for the released defaults as they are; a run of other length is a check that the
    code runs (`smoke`), never compared with the paper."""
    return "paper" if epochs == PAPER_ARGUMENTS["epochs"] else "smoke"


def released_arguments(row, seed, epochs, data_root, work):
    """The script's command-line arguments: only what differs from its defaults, and where things are."""
    return ["--leaky", repr(row.leak), "--manualSeed", str(seed), "--epochs", str(epochs), "--workers", "0",
            "--path", data_root, "--checkpoint", work]


def experiment_text(row, seed, epochs):
    """What was run, for /config/experiment_yaml (YAML; paths as placeholders, never this machine's)."""
    arguments = released_arguments(row, seed, epochs, "<data root>", "<work folder>")
    return ("# The released code's run (tools/reference/run_table1.py): this script of the checkout that\n"
            "# /config@implementation names, run on the CPU with these arguments.\n"
            f"script: {row.script}\narguments: {json.dumps(arguments, ensure_ascii=False)}\n")


def result_path(results, row, seed):
    return os.path.join(results, TABLE, row, REFERENCE_FOLDER, f"seed-{seed}.h5")


def check_arguments(arguments, row, epochs, checkout):
    """Refuses a checkout whose script defaults are not the paper protocol, or that parsed the
    wrapper's arguments otherwise than meant."""
    expected = dict(PAPER_ARGUMENTS, epochs=epochs, time_step=row.time_steps,
                    leaky=None if row.neuron == "if" else row.leak,
                    dataset="fashionmnist" if row.dataset == "fashion-mnist" else "mnist")
    differing = [f"{name} = {getattr(arguments, name, '<absent>')!r} (expected {value!r})"
                 for name, value in expected.items() if getattr(arguments, name, None) != value]
    if differing:
        raise ArgumentsError(f"{os.path.join(checkout, row.script)}: its arguments are not the paper protocol "
                             "of spec §7: " + "; ".join(differing))
