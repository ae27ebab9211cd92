"""Averaging the weights of several fine-tuned runs into one model ("model soup").

Runs fine-tuned from the same starting weights with the same recipe lie close enough in weight
space that their uniform average is itself a good model, often better than each run on text
none of them saw, at no cost at run time (Wortsman et al. 2022). classifiers.train_encoder
--soup uses this on state dicts saved with --save-weights; it is kept free of torch so that
the checks below run in the test environment (they take any arrays that add and divide).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class SoupError(ValueError):
    """The runs cannot be averaged: they are not the same network."""


def average(runs: Sequence[Mapping[str, Any]], names: Sequence[str] | None = None) -> dict[str, Any]:
    """The uniform average of `runs` (name -> array), key by key.

    Every run must hold the same keys with the same shapes; `names` (the runs' file names) make
    the error say which run differs. Integer entries (counters such as a batch norm's step
    count) are taken from the first run, not averaged.
    """
    if len(runs) < 2:
        raise SoupError(f"a soup needs at least two runs, got {len(runs)}")
    labels = list(names) if names is not None else [f"run {i + 1}" for i in range(len(runs))]
    for label, run in zip(labels, runs):
        if not isinstance(run, Mapping):
            raise SoupError(f"{label} holds a {type(run).__name__}, not saved weights (name -> array)")
    first = runs[0]
    for label, run in zip(labels[1:], runs[1:]):
        missing, extra = sorted(set(first) - set(run)), sorted(set(run) - set(first))
        if missing or extra:
            raise SoupError(f"{label} is not the same network as {labels[0]}: "
                            f"missing {missing[:3]}, extra {extra[:3]}")
        for key in first:
            if tuple(run[key].shape) != tuple(first[key].shape):
                raise SoupError(f"{label}: {key} has shape {tuple(run[key].shape)}, "
                                f"{labels[0]} has {tuple(first[key].shape)}")
    out: dict[str, Any] = {}
    for key, value in first.items():
        if not _is_float(value):
            out[key] = value
            continue
        total = value.clone() if hasattr(value, "clone") else value.copy()
        for run in runs[1:]:
            total = total + run[key]
        out[key] = total / len(runs)
    return out


def _is_float(value: Any) -> bool:
    dtype = getattr(value, "dtype", None)
    if hasattr(dtype, "is_floating_point"):  # torch
        return bool(dtype.is_floating_point)
    return getattr(dtype, "kind", "") == "f"  # numpy
