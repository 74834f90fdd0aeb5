"""Type I error control at every look for predictive-probability designs (issue 16, item 4).

Every exact size is recomputed by the per-p convolution of
:func:`simtrial.designs.interim.operating_characteristics`, independent of the path-count
engine that :func:`control_size` uses.
"""

from __future__ import annotations

import numpy as np
import pytest

from simtrial.designs.interim import (
    SizeInflationError,
    check_size,
    control_size,
    operating_characteristics,
)
from simtrial.trial.interim import single_arm_pp_design

# (n, fractions, p0, alpha, theta_f, theta_e)
DESIGNS = [
    (35, (0.25, 0.5, 0.75), 0.2, 0.05, 0.0, 0.8),  # the issue's case: exact size 0.111
    (40, (0.5,), 0.2, 0.05, 0.05, 0.9),
    (30, (1 / 3, 2 / 3), 0.2, 0.05, 0.1, 0.7),
    (50, (0.2, 0.4, 0.6, 0.8), 0.2, 0.05, 0.0, 0.85),
    (25, (0.5,), 0.1, 0.05, 0.0, 0.6),
    (60, (0.25, 0.5, 0.75), 0.3, 0.025, 0.05, 0.9),
    (45, (0.3, 0.6), 0.15, 0.1, 0.02, 0.75),
]


def _exact(d) -> float:
    return operating_characteristics(d, d.p0).reject


def test_issue_case_is_refused_with_size_and_fix():
    d = single_arm_pp_design(35, (0.25, 0.5, 0.75), 0.2, 0.05, 0.0, 0.8)
    with pytest.raises(SizeInflationError, match=r"exact type I error 0\.1112 exceeds alpha = 0\.05.*adjust='final'"):
        check_size(d, 0.05)
    assert check_size(d, 0.05, allow_inflated_size=True) == pytest.approx(0.11116, abs=1e-5)


@pytest.mark.parametrize("adjust", ["final", "efficacy"])
@pytest.mark.parametrize("spec", DESIGNS, ids=lambda s: f"n{s[0]}-looks{len(s[1])}-te{s[5]}")
def test_control_size_keeps_every_design_at_or_below_alpha(spec, adjust):
    n, fr, p0, alpha, tf, te = spec
    unadjusted = single_arm_pp_design(n, fr, p0, alpha, tf, te)
    size0 = _exact(unadjusted)
    res = control_size(n, fr, p0, alpha, tf, te, adjust=adjust)
    assert res.unadjusted_size == pytest.approx(size0, abs=1e-12)
    assert _exact(res.design) == pytest.approx(res.size, abs=1e-12)
    assert res.size <= alpha
    assert res.alpha_by_look[-1] == pytest.approx(res.size, abs=1e-12)
    assert np.all(np.diff(res.alpha_by_look) >= -1e-15)
    check_size(res.design, alpha)  # accepted
    if size0 <= alpha:
        assert res.adjust == "none"
        return
    assert res.adjust == adjust
    with pytest.raises(SizeInflationError):
        check_size(unadjusted, alpha)
    # least conservative: one step less strict exceeds alpha
    if adjust == "final":
        assert res.design.theta_e == te
        assert res.design.r_final > unadjusted.r_final
        if res.design.r_final - 1 > unadjusted.r_final:
            from simtrial.designs.interim import _pp_with_final

            looser = _pp_with_final(n, fr, p0, res.design.r_final - 1, tf, te, 1.0, 1.0)
            assert _exact(looser) > alpha
    else:
        assert res.design.r_final == unadjusted.r_final
        assert res.design.theta_e > te
        pps = np.unique(np.concatenate(res.design.predictive_probabilities()))
        lower = pps[(pps >= te) & (pps < res.design.theta_e)]
        if lower.size:
            from simtrial.designs.interim import _pp_with_final

            looser = _pp_with_final(n, fr, p0, res.design.r_final, min(tf, lower[-1]), float(lower[-1]), 1.0, 1.0)
            assert _exact(looser) > alpha


def test_issue_case_adjusted_values():
    fin = control_size(35, (0.25, 0.5, 0.75), 0.2, 0.05, 0.0, 0.8, adjust="final")
    eff = control_size(35, (0.25, 0.5, 0.75), 0.2, 0.05, 0.0, 0.8, adjust="efficacy")
    assert fin.unadjusted_size == pytest.approx(0.1112, abs=5e-5)
    assert (fin.design.r_final, round(fin.size, 4)) == (13, 0.039)
    assert eff.design.r_final == 12 and eff.size <= 0.05 and eff.design.theta_e > 0.8


def test_control_size_invalid_input():
    with pytest.raises(ValueError, match="adjust"):
        control_size(35, (0.5,), 0.2, 0.05, 0.0, 0.8, adjust="spend")
    with pytest.raises(ValueError, match="n"):
        control_size(3, (0.5,), 0.5, 0.01, 0.0, 0.8)


def test_single_arm_object_refuses_calibrates_or_allows():
    """The design object (simtrial.designs.SingleArm) applies size_control; summary.json's
    exact_size is the size over every look (the issue's 0.111, not the fixed-n test's 0.034)."""
    from simtrial._core.validation import ValidationError
    from simtrial.designs.pp_interim import PPInterim
    from simtrial.designs.single_arm import SingleArm

    looks = (0.25, 0.5, 0.75)
    with pytest.raises(ValidationError, match=r"^theta_e: exact type I error 0\.1112 exceeds alpha = 0\.05.*size_control='final'"):
        SingleArm(35, 0.2, 0.4, 0.05, interim=PPInterim(looks, theta_e=0.8))
    fin = SingleArm(35, 0.2, 0.4, 0.05, interim=PPInterim(looks, theta_e=0.8, size_control="final"))
    assert fin.critical_responders == 13 and fin.parameters["exact_size"] == pytest.approx(0.0390, abs=5e-5)
    x = np.array([[12], [13]])
    np.testing.assert_array_equal(fin.final(x, x), [False, True])
    allowed = SingleArm(35, 0.2, 0.4, 0.05, interim=PPInterim(looks, theta_e=0.8, size_control="allow"))
    assert allowed.parameters["exact_size"] == pytest.approx(0.1112, abs=5e-5)
    assert allowed.parameters["size_inflated"] is True and "EXCEEDS ALPHA" in str(allowed)
    with pytest.raises(ValidationError, match="size_control"):
        PPInterim(looks, size_control="spend")
