import math

import numpy as np
import pytest

from retrieval.bert import erfc_nonnegative, gelu


def exact_gelu(values: np.ndarray) -> np.ndarray:
    return np.array([v * 0.5 * (1.0 + math.erf(v / math.sqrt(2.0))) for v in values.tolist()])


def test_erfc_approximation_error_is_below_1e_7_in_float64() -> None:
    z = np.linspace(0.0, 10.0, 200_001)
    exact = np.array([math.erfc(v) for v in z.tolist()])
    assert np.max(np.abs(erfc_nonnegative(z) - exact)) < 1e-7


def test_gelu_matches_erf_definition_in_float64() -> None:
    x = np.linspace(-12.0, 12.0, 100_001)
    assert np.max(np.abs(gelu(x) - exact_gelu(x))) < 1e-7


def test_gelu_float32_error_is_at_float32_rounding_level() -> None:
    x = np.random.default_rng(7).normal(scale=3.0, size=50_000).astype(np.float32)
    result = gelu(x)
    assert result.dtype == np.float32
    assert np.max(np.abs(result - exact_gelu(x.astype(np.float64)))) < 5e-7


@pytest.mark.parametrize("value", [0.0, -0.0, 40.0, -40.0, 1e-30])
def test_gelu_edge_values_are_finite_and_exact(value: float) -> None:
    result = gelu(np.array([value], dtype=np.float32))[0]
    assert math.isfinite(result)
    assert result == pytest.approx(exact_gelu(np.array([value]))[0], abs=1e-7)


def test_gelu_does_not_modify_its_input() -> None:
    x = np.array([-1.0, 0.5, 2.0], dtype=np.float32)
    before = x.copy()
    gelu(x)
    np.testing.assert_array_equal(x, before)
