"""The per-epoch log the released training scripts write, `<checkpoint folder>/log.txt`.

Their `utils.Logger` writes a header of column names, then after every epoch one line of numbers,
each printed with `%.6f` and followed by a tab (so every line ends in a tab before its newline):

    Learning Rate	Train Loss	Valid Loss	Train Acc.	Valid Acc.	
    0.050000	0.642129	0.498315	77.281667	82.070000	

Losses are mean cross-entropies, accuracies percent (the test set is the scripts' "Valid"), the
learning rate the one the epoch trained with. This module reads such a log strictly: anything else,
including a last line without its newline (a writer stopped mid-line), is a `ReleasedLogError` that
names the file, the line and the field.
"""

import math
import os
from collections import namedtuple

# The columns of the Table 1 scripts (fashionmnist_fc.py, mnist_conv.py), in their order.
COLUMNS = ("Learning Rate", "Train Loss", "Valid Loss", "Train Acc.", "Valid Acc.")

LoggedEpoch = namedtuple("LoggedEpoch", "learning_rate train_loss test_loss train_accuracy test_accuracy")


class ReleasedLogError(Exception):
    pass


def read_released_log(path):
    """The epochs of the log at `path`, in order, as `LoggedEpoch`s."""
    if not os.path.isfile(path):
        raise ReleasedLogError(f"{path}: no such file (or not a regular file)")
    try:
        with open(path, "rb") as stream:
            text = stream.read().decode("ascii")
    except OSError as error:
        raise ReleasedLogError(f"{path}: cannot be read: {error}") from error
    except UnicodeDecodeError as error:
        raise ReleasedLogError(f"{path}: byte {error.start} is not ASCII; not a log of the released scripts") from error
    lines = text.split("\n")
    if lines[-1] != "":
        raise ReleasedLogError(f"{path}:{len(lines)}: the last line has no newline (the log was cut mid-line)")
    lines = lines[:-1]
    header = "\t".join(COLUMNS) + "\t"
    if not lines or lines[0] != header:
        found = repr(lines[0]) if lines else "an empty file"
        raise ReleasedLogError(f"{path}:1: the header is {found}, expected {header!r}")
    return [_epoch(path, number, line) for number, line in enumerate(lines[1:], start=2)]


def _epoch(path, number, line):
    fields = line.split("\t")
    if len(fields) != len(COLUMNS) + 1 or fields[-1] != "":
        raise ReleasedLogError(f"{path}:{number}: {len(fields) - 1} tab-terminated fields, expected "
                               f"{len(COLUMNS)} ({', '.join(COLUMNS)}), each followed by a tab")
    values = []
    for column, field in zip(COLUMNS, fields):
        try:
            value = float(field)
        except ValueError:
            raise ReleasedLogError(f"{path}:{number}: {column} is {field!r}, not a number") from None
        values.append(value)
        _check(path, number, column, value)
    return LoggedEpoch(*values)


def _check(path, number, column, value):
    """A learning rate is positive and finite, an accuracy in [0, 100]; a loss is non-negative, or NaN
    or infinite when training diverged (the released scripts go on and log it)."""
    if column == "Learning Rate":
        valid, expected = math.isfinite(value) and value > 0, "positive and finite"
    elif column.endswith("Acc."):
        valid, expected = 0 <= value <= 100, "a percentage in [0, 100]"
    else:
        valid, expected = math.isnan(value) or value >= 0, "non-negative (or NaN)"
    if not valid:
        raise ReleasedLogError(f"{path}:{number}: {column} is {value}, expected {expected}")
