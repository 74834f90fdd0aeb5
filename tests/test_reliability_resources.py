"""Issue 13 item 9: sizes with no bound are refused up front with the estimate and the limit."""

from __future__ import annotations

import pytest

from simtrial import preflight, resources
from simtrial.trial.visits import visit_days


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SIMTRIAL_RESULTS", str(tmp_path / "results"))
    monkeypatch.setattr(preflight, "CREATED", [])
    monkeypatch.delenv(resources.MEMORY_VAR, raising=False)
    monkeypatch.delenv(resources.HOURS_VAR, raising=False)
    return tmp_path


@pytest.mark.parametrize("schedule", [(28, 84, 28, 364), (7, 7, 1, 30), (35, 90, 30, 1000), (28, 84, 28, 84)])
def test_visit_count_matches_the_schedule(schedule):
    assert resources.visit_count(*schedule) == len(visit_days(*schedule))


@pytest.mark.parametrize("overrides,field", [
    (["simulation.replicates=10000000"], "simulation.replicates"),
    (["simulation.followup_days=3650", "simulation.monthly_every=1", "simulation.chunk_size=20000"],
     "simulation.followup_days"),
])
def test_large_sizes_are_refused_with_the_estimate_and_the_limit(fresh, monkeypatch, overrides, field):
    """Sizes each field's own range allows, whose product would not fit in the memory allowed."""
    monkeypatch.setenv(resources.MEMORY_VAR, "2")
    with pytest.raises(preflight.PreflightError) as err:
        preflight.prepare(["experiment=single_arm", *overrides])
    (line,) = err.value.lines
    assert line.startswith(f"{field}: the run would need about ") and "of memory" in line
    assert line.endswith(f"more than the limit of 2 GB ({resources.MEMORY_VAR}=2)")
    assert not (fresh / "results").exists()


@pytest.mark.parametrize("override", ["simulation.followup_days=1e12", "simulation.replicates=2000000000",
                                      "simulation.n_sites=1000000000"])
def test_the_reported_huge_sizes_are_refused_by_name(fresh, override):
    with pytest.raises(preflight.PreflightError) as err:
        preflight.prepare(["experiment=single_arm", override])
    (line,) = err.value.lines
    assert line.startswith(override.split("=")[0] + ": ")


def test_a_simon_search_that_would_not_fit_is_refused_before_it_starts(fresh, monkeypatch):
    monkeypatch.setenv(resources.MEMORY_VAR, "4")
    with pytest.raises(preflight.PreflightError) as err:
        preflight.prepare(["experiment=simon", "design.n_max=300"])
    (line,) = err.value.lines
    assert line.startswith("design.n_max: the run would need about ") and "GB of memory" in line


def test_a_simon_search_that_would_run_too_long_is_refused(fresh, monkeypatch):
    monkeypatch.setenv(resources.MEMORY_VAR, "1000000")
    monkeypatch.setenv(resources.HOURS_VAR, "0.01")
    with pytest.raises(preflight.PreflightError) as err:
        preflight.prepare(["experiment=simon", "design.n_max=300"])
    (line,) = err.value.lines
    assert line.startswith("design.n_max: the run would take about ") and "minutes" in line
    assert line.endswith(f"more than the limit of 36 s ({resources.HOURS_VAR}=0.01)")


@pytest.mark.slow
def test_defaults_of_every_experiment_are_well_within_the_limits(fresh):
    from simtrial.studies import available_experiments

    for experiment in available_experiments():
        composed = preflight.compose_jobs([f"experiment={experiment}"], False)
        assert composed.errors == [], experiment


def test_the_limits_can_be_raised_for_a_deliberately_large_run(fresh, monkeypatch):
    big = resources.trial_estimate(200_000_000, 35, 18, 4, None, "vectorised")
    assert resources.check_resources(big) is not None
    monkeypatch.setenv(resources.MEMORY_VAR, "100000")
    monkeypatch.setenv(resources.HOURS_VAR, "100000")
    assert resources.check_resources(big) is None


def test_estimates_grow_with_each_size():
    base = resources.trial_estimate(1000, 35, 18, 4, None, "vectorised")
    for kwargs in ({"replicates": 10_000}, {"patients": 350}, {"visits": 180}, {"sites": 40_000}):
        args = {"replicates": 1000, "patients": 35, "visits": 18, "sites": 4, "chunk": None, "calendar": "vectorised"}
        bigger = resources.trial_estimate(**(args | kwargs))
        assert bigger.memory_bytes > base.memory_bytes and bigger.total_seconds >= base.total_seconds
