"""The threshold rule of benchmarks/encoder_dev.py (round 5b): on a plateau, its middle.

The shipped thresholds are whatever this rule picks on the development curves, so a slip in it
(ties going to an end again, an off-by-one on an even plateau) would move every threshold
without any model changing. Nothing here runs a model.
"""
from __future__ import annotations

import importlib.util

from tests.conftest import REPO


def _encoder_dev():
    spec = importlib.util.spec_from_file_location("encoder_dev", REPO / "benchmarks" / "encoder_dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


plateau_middle = _encoder_dev().plateau_middle


def test_a_single_best_threshold_is_taken() -> None:
    assert plateau_middle({0.2: 0.80, 0.3: 0.91, 0.4: 0.85}) == 0.3


def test_a_flat_curve_gives_its_middle_not_an_end() -> None:
    curve = {0.1: 0.7, 0.2: 0.9, 0.3: 0.9, 0.4: 0.9, 0.5: 0.9, 0.6: 0.9, 0.7: 0.6}
    assert plateau_middle(curve) == 0.4


def test_an_even_plateau_gives_the_lower_middle() -> None:
    assert plateau_middle({0.2: 0.9, 0.3: 0.9, 0.4: 0.9, 0.5: 0.9, 0.6: 0.5}) == 0.3


def test_ties_are_judged_to_three_places() -> None:
    # 0.9004 and 0.9001 tie at three places; 0.9006 rounds above them and wins alone
    assert plateau_middle({0.2: 0.9004, 0.3: 0.9001, 0.4: 0.8}) == 0.2
    assert plateau_middle({0.2: 0.9004, 0.3: 0.9006, 0.4: 0.9001}) == 0.3


def test_two_humps_count_as_one_plateau_by_value() -> None:
    # equal best values far apart: the middle of the sorted ties, as the docstring says
    assert plateau_middle({0.1: 0.9, 0.2: 0.5, 0.5: 0.9, 0.8: 0.9}) == 0.5
