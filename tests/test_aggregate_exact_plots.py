"""OC panels with exact lines and simulated points (simtrial.aggregate.plots.exact_oc_figure)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simtrial.aggregate.plots import exact_oc_figure
from simtrial.designs import oc
from simtrial.designs.fisher import fisher_rejection_table


def test_simon_panels_exact_line_and_points():
    curve = oc.simon_oc(oc.p_grid(0.01), 3, 13, 12, 43)
    sim = pd.DataFrame({"label": ["null, p = 0.2", "pessimistic, p = 0.35"], "p": [0.2, 0.35],
                        "reject": [0.05, 0.62], "reject_mcse": [0.003, 0.008],
                        "pet": [0.75, 0.3], "pet_mcse": [0.007, 0.007],
                        "expected_n": [20.6, 33.0], "expected_n_mcse": [0.1, 0.1]})
    fig = exact_oc_figure(curve, "Simon optimal 3/13, 12/43", 0.2, 0.4, 0.05, sim)
    axes = fig.axes
    assert len(axes) == 4
    assert axes[1].get_ylim() == (0, 0.1)
    labels = axes[0].get_legend_handles_labels()[1]
    assert "exact" in labels and "simulated: pessimistic, p = 0.35" in labels
    np.testing.assert_allclose(axes[0].lines[0].get_ydata(), curve.reject)
    plt.close(fig)


def test_design_without_looks_has_no_pet_panel_and_two_arm_null_curve():
    curve = oc.single_arm_oc(oc.p_grid(0.01), 35, 12)
    fig = exact_oc_figure(curve, "single arm n = 35", 0.2, 0.4, 0.05)
    assert len(fig.axes) == 2 and "no interim look" in fig._suptitle.get_text()
    plt.close(fig)
    ns = oc.null_size(fisher_rejection_table(15, 15, 0.05, "greater"), oc.p_grid(0.01))
    fig = exact_oc_figure(curve, "Fisher 15 + 15", 0.2, None, 0.05, null_curve=ns)
    assert "maximum" in " ".join(fig.axes[1].get_legend_handles_labels()[1])
    plt.close(fig)


def test_sweep_oc_figure_has_type_one_error_axis_and_scenario_values():
    from simtrial.aggregate.plots import oc_figure
    from simtrial.aggregate.targets import Targets

    rows = pd.DataFrame({
        "status": "ok", "design": "single_arm",
        "scenario": ["null_hypothesis"] * 2 + ["pessimistic"] * 2,
        "design.n": [30, 60, 30, 60],
        "reject_rate": [0.03, 0.04, 0.5, 0.82], "reject_rate_mcse": [0.003, 0.003, 0.008, 0.006],
        "exact.reject_rate": [0.026, 0.043, 0.49, 0.83],
        "scenario.p_response": [None, None, "[0.35]", "[0.35]"],
        "expected_n": [30.0, 60.0, 30.0, 60.0], "expected_n_mcse": [0.0] * 4,
    })
    fig = oc_figure(rows, "design.n", "single_arm", Targets())
    power_ax, t1_ax = fig.axes[0], fig.axes[1]
    assert t1_ax.get_ylim() == (0, 0.1)
    labels = power_ax.get_legend_handles_labels()[1]
    assert "pessimistic, p = 0.35 (power, simulated)" in labels and "exact" in labels
    assert not any("null_hypothesis" in lab for lab in labels)
    plt.close(fig)
