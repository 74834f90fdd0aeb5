"""Every kind of bad config value, key or type: one line naming the full field path and what is
allowed, before any run directory exists.

The checks run in-process through :func:`simtrial.config.commandline.check_command_line` (the
function the entry point calls on its arguments, composing with Hydra's compose API); a few real
command lines at the end prove the entry point's exit status and that nothing is written.
"""

import dataclasses
import math
import typing

import pytest

from simtrial.config.commandline import check_command_line
from simtrial.config.errors import ConfigError
from simtrial.config.groups import GROUP_SCHEMAS
from tests.support.cli import ok_runs, run_simtrial

CASES = [
    # values out of range
    (["experiment=single_arm", "design.n=-3"], "design.n: must be an integer in [1, 10000]; got -3"),
    (["experiment=single_arm", "design.n=0"], "design.n: must be an integer in [1, 10000]"),
    (["experiment=two_arm", "design.n_per_arm=0"], "design.n_per_arm: must be an integer in [1, 10000]"),
    (["experiment=simon", "design.p0=0.5", "design.p1=0.4"], "design.p1: must exceed p0 (0.5); got 0.4"),
    (["experiment=single_arm", "design.p0=0.5", "design.p1=0.4"], "design.p1: must exceed p0 (0.5); got 0.4"),
    (["experiment=single_arm", "design.p0=0.4"], "design.p1: must exceed p0 (0.4); got 0.4"),
    (["experiment=single_arm", "design.p0=1.2"], "design.p0: must be a finite number in (0, 1)"),
    (["experiment=single_arm", "scenario.p_response=[1.5]"], "scenario.p_response: must be a list of values"),
    (["experiment=single_arm", "scenario.p_response=[0.2,0.3,0.4]"], "scenario.p_response: must be a list"),
    (["experiment=single_arm", "design.alpha=0.6"], "design.alpha: must be a finite number in (0, 0.5)"),
    (["experiment=two_arm", "design.alpha=0"], "design.alpha: must be a finite number in (0, 0.5)"),
    (["experiment=sequencing", "design.alpha=0.5"], "design.alpha: must be a finite number in (0, 0.5)"),
    (["experiment=patient_models", "model.tdm.window_low=15", "model.tdm.window_high=5"],
     "model.tdm.target_trough: need 0 < window_low < target_trough < window_high"),
    (["experiment=patient_models", "model.sirolimus_pk.cl_cv=nan"], "model.sirolimus_pk.cl_cv: must be a finite"),
    (["experiment=patient_models", "model.population.age_min_years=inf"], "model.population.age_min_years"),
    (["experiment=patient_models", "patient_models.horizon_days=30"], "patient_models.horizon_days"),
    (["experiment=sequencing", "design.switch_day=400"], "design.switch_day: must be < simulation.followup_days"),
    (["experiment=single_arm", "design.landmark_day=400"], "design.landmark_day: must be <= simulation.followup_days"),
    (["experiment=single_arm", "simulation.replicates=0"], "simulation.replicates: must be an integer in [1, 10000000]"),
    (["experiment=single_arm", "simulation.replicates=2000000000"], "simulation.replicates: must be an integer in"),
    (["experiment=single_arm", "simulation.workers=0"], "simulation.workers: must be an integer in [1, 256]"),
    (["experiment=two_arm", "design.block_size=14"], "design.block_size: must be one of [2, 4, 6, 8, 10, 12]"),
    (["experiment=two_arm", "simulation.calendar=fast"],
     "simulation.calendar: must be one of ['auto', 'simpy', 'vectorised']"),
    (["experiment=calibrate", "calibration.draws=0"], "calibration.draws: must be an integer in [1, 1000000]"),
    (["experiment=quickstart", "quickstart.steps=[figures,figures]"], "quickstart.steps: must be distinct steps"),
    # issue 13 item 10: infinities and absurd values
    (["experiment=single_arm", "simulation.site_open_every_days=inf"], "simulation.site_open_every_days: must be a finite"),
    (["experiment=single_arm", "simulation.dropout_per_year=inf"], "simulation.dropout_per_year: must be a finite"),
    (["experiment=single_arm", "simulation.treatment_start_days=inf"], "simulation.treatment_start_days"),
    (["experiment=single_arm", "simulation.accrual_per_site_per_month=1e-300"],
     "simulation.accrual_per_site_per_month: must be a finite number in [0.01, 100]; got 1e-300"),
    (["experiment=single_arm", "simulation.followup_days=1e12"], "simulation.followup_days"),
    (["experiment=single_arm", "simulation.n_sites=1000000000"], "simulation.n_sites"),
    (["experiment=simon", "design.n_max=100000"], "design.n_max: must be an integer in [2, 300]"),
    (["experiment=single_arm", "scenario.response_day_min=500"],
     "scenario.response_day_min: must be < design.landmark_day (168); got 500.0"),
    (["experiment=single_arm", "scenario=null_hypothesis", "scenario.p=nan"], "scenario.p: must be a finite"),
    # wrong types (issue 13 item 13)
    (["experiment=single_arm", "simulation.replicates=2.5"], "simulation.replicates: must be an integer; got 2.5"),
    (["experiment=single_arm", "design.n=ten"], "design.n: must be an integer; got ten"),
    (["experiment=single_arm", "design.n=abc"], "design.n: must be an integer; got abc"),
    (["experiment=single_arm", "scenario.p_response=0.3"], "scenario.p_response: must be a list, e.g. [0.3]"),
    (["experiment=quickstart", "seed=abc"], "seed: must be an integer; got abc"),
    # unknown study, option, key, appended key (issue 13 items 13 and 15)
    (["experiment=no_such"], "experiment: unknown option 'no_such'; the options are"),
    (["experiment=single_arm", "design=nope"], "design: unknown option 'nope'; the options are group_sequential, sequencing, simon,"),
    (["experiment=single_arm", "design=singel_arm"], "did you mean 'single_arm'?"),
    (["experiment=single_arm", "scenario=nope"], "scenario: unknown option 'nope'"),
    (["experiment=single_arm", "design.nn=3"], "design.nn: unknown key; the keys of design are alpha,"),
    (["experiment=single_arm", "design.nn=3"], "did you mean 'n'?"),
    (["experiment=single_arm", "+design.nn=40"], "design.nn: unknown key; the keys of design are"),
    (["experiment=single_arm", "++design.nn=40"], "design.nn: unknown key"),
    (["experiment=quickstart", "sed=3"], "sed: unknown key; the keys of the config root are"),
    (["experiment=quickstart", "+sed=3"], "did you mean 'seed'?"),
    (["experiment=quickstart", "run.progres=false"], "run.progres: unknown key; the keys of run are progress, resume"),
    (["experiment=single_arm", "analyses=42"], "analyses: unknown key"),
    (["experiment=single_arm", "analysis=nope"], "analysis: unknown option 'nope'; the options are borrowing"),
    (["experiment=borrowing", "analysis.robust_weight=2"], "analysis.robust_weight: must be a finite number in [0, 1]"),
    (["experiment=single_arm", "analysis=42"], "analysis: unknown option '42'; the options are borrowing"),
    (["experiment=calibrate", "calibration.posterior=x.nc"], "calibration.posterior: unknown key"),
    (["experiment=single_arm", "design.n=[1"], "cannot parse an override"),
]


@pytest.mark.parametrize("args, message", CASES, ids=[" ".join(a[1:]) or a[0] for a, _ in CASES])
def test_bad_config_is_one_line_naming_the_field(args, message):
    with pytest.raises(ConfigError) as err:
        check_command_line(args)
    text = str(err.value)
    assert message in text
    assert "\n" not in text


def test_sweep_names_every_bad_point():
    with pytest.raises(ConfigError) as err:
        check_command_line(["-m", "experiment=single_arm", "design.n=10,0,20,-1"])
    text = str(err.value)
    assert text.startswith("2 of 4 sweep points are invalid")
    assert "[design.n=0]" in text and "[design.n=-1]" in text and "design.n=20" not in text


@pytest.mark.parametrize("args", [
    ["experiment=single_arm"], ["experiment=simon"], ["experiment=two_arm"], ["experiment=sequencing"],
    ["-m", "experiment=single_arm", "design.n=10,20"], ["--help"], ["--cfg", "job", "experiment=single_arm"],
])
def test_good_command_lines_pass(args):
    check_command_line(args)


def _numeric_fields(schema, prefix=""):
    """(path, dataclass, field) of every int/float field, nested dataclasses included."""
    hints = typing.get_type_hints(schema)
    for f in dataclasses.fields(schema):
        tp = hints[f.name]
        if dataclasses.is_dataclass(tp):
            yield from _numeric_fields(tp, f"{prefix}{f.name}.")
        elif tp in (int, float) or typing.get_args(tp) in ((int, type(None)), (float, type(None))):
            yield f"{prefix}{f.name}", schema, f.name


NUMERIC = [(f"{group}/{option}:{path}", schema, name)
           for group, options in GROUP_SCHEMAS.items() for option, top in options.items()
           for path, schema, name in _numeric_fields(top)]
#: Infinity is a documented value here: no inclusion ceiling on the baseline count.
INFINITE_OK = {"population.platelet_ceiling"}


@pytest.mark.parametrize("where, schema, name", NUMERIC, ids=[w for w, _, _ in NUMERIC])
@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan, 1e300, -1e300])
def test_every_numeric_field_has_a_finite_range(where, schema, name, bad):
    """Issue 13 item 10: every numeric field of every config group refuses infinities, NaN and
    absurd magnitudes, naming the field."""
    if bad == math.inf and where.split(":")[1] in INFINITE_OK:
        return
    with pytest.raises(ValueError) as err:
        schema(**{name: bad})
    assert name in str(err.value)


# A handful of real command lines: exit status 2, one line, nothing written.
@pytest.mark.parametrize("args, message", [
    (["experiment=single_arm", "design.n=-1"], "design.n: must be an integer in [1, 10000]; got -1"),
    (["experiment=single_arm", "+design.nn=40"], "design.nn: unknown key"),
])
def test_entry_point_exits_2_with_one_line(tmp_path, args, message):
    proc = run_simtrial(args, tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [f"simtrial: error: invalid config: {proc.stderr.split('config: ', 1)[1].strip()}"]
    assert message in proc.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.slow
def test_posterior_lacking_the_parameters(tmp_path):
    import numpy as np
    import xarray as xr

    path = tmp_path / "lacking.nc"
    xr.Dataset({"x": ("draw", np.arange(3.0))}).to_netcdf(path)
    proc = run_simtrial(["experiment=single_arm", "scenario=posterior", f"scenario.posterior={path}"], tmp_path / "r")
    assert proc.returncode != 0
    assert f"scenario.posterior: {path} has no 'posterior' group" in proc.stderr
    assert ok_runs(tmp_path / "r") == []


@pytest.mark.slow
@pytest.mark.parametrize("args, message", [
    (["experiment=single_arm", "scenario=posterior", "scenario.posterior=/nonexistent/posterior.nc"],
     "scenario.posterior: file not found: /nonexistent/posterior.nc"),
    (["experiment=single_arm", "scenario=posterior", "scenario.posterior=/etc/hostname"],
     "scenario.posterior: /etc/hostname is not a NetCDF posterior file"),
])
def test_bad_posterior_file(tmp_path, args, message):
    proc = run_simtrial(args, tmp_path)
    assert proc.returncode != 0
    assert message in proc.stderr, proc.stderr[-2000:]
    assert ok_runs(tmp_path) == []
