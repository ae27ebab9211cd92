"""classifiers.soup: the weight average behind train_encoder --soup, on numpy arrays."""
from __future__ import annotations

import numpy as np
import pytest

from classifiers.soup import SoupError, average


def test_the_soup_is_the_mean_of_every_run_key_by_key() -> None:
    runs = [{"w": np.array([[1.0, 2.0]]), "b": np.array([0.0])},
            {"w": np.array([[3.0, 4.0]]), "b": np.array([3.0])},
            {"w": np.array([[5.0, 9.0]]), "b": np.array([6.0])}]
    soup = average(runs)
    np.testing.assert_allclose(soup["w"], [[3.0, 5.0]])
    np.testing.assert_allclose(soup["b"], [3.0])
    np.testing.assert_allclose(runs[0]["w"], [[1.0, 2.0]])  # the runs themselves are left as they were


def test_integer_counters_are_taken_from_the_first_run() -> None:
    runs = [{"w": np.ones(2), "steps": np.array(7)}, {"w": np.zeros(2), "steps": np.array(9)}]
    soup = average(runs)
    assert int(soup["steps"]) == 7
    np.testing.assert_allclose(soup["w"], [0.5, 0.5])


def test_runs_of_different_networks_are_refused_by_name() -> None:
    with pytest.raises(SoupError, match=r"b\.pt is not the same network as a\.pt"):
        average([{"w": np.ones(2)}, {"v": np.ones(2)}], names=["a.pt", "b.pt"])
    with pytest.raises(SoupError, match=r"b\.pt: w has shape \(3,\), a\.pt has \(2,\)"):
        average([{"w": np.ones(2)}, {"w": np.ones(3)}], names=["a.pt", "b.pt"])
    with pytest.raises(SoupError, match=r"b\.pt holds a list, not saved weights"):
        average([{"w": np.ones(2)}, [np.ones(2)]], names=["a.pt", "b.pt"])
    with pytest.raises(SoupError, match="at least two runs"):
        average([{"w": np.ones(2)}])
