"""Every experiment and every group option composes and validates, in-process (Hydra's compose
API, as lightning-hydra-template's tests do) instead of one subprocess per case."""

import importlib

import pytest

from simtrial.config.commandline import compose_config
from simtrial.config.help import _groups
from simtrial.config.validate import validate_config
from simtrial.studies import available_experiments

EXPERIMENTS = available_experiments()
GROUPS = _groups()


def test_the_tree_is_where_the_package_is():
    from simtrial.paths import CONF_DIR, EXPERIMENTS_DIR, PACKAGE_DIR

    assert CONF_DIR.parent == PACKAGE_DIR and (CONF_DIR / "config.yaml").is_file()
    assert EXPERIMENTS_DIR == CONF_DIR / "experiment" and (EXPERIMENTS_DIR / "single_arm.yaml").is_file()


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_every_experiment_composes_and_validates(experiment):
    config = validate_config(compose_config([f"experiment={experiment}"]))
    study = importlib.import_module(f"simtrial.studies.{config.study}")
    assert callable(study.run)


#: An experiment that fits each design option (its own, else the sequencing study: SMART).
DESIGN_CASES = [[f"experiment={o if o in EXPERIMENTS else 'sequencing'}", f"design={o}"] for o in GROUPS["design"]]
#: Every scenario with a one-arm and a two-arm design.
SCENARIO_CASES = [[f"experiment={e}", f"scenario={o}"] for o in GROUPS["scenario"] for e in ("single_arm", "two_arm")
                  if (e, o) != ("two_arm", "pessimistic")]
OTHER_CASES = [[f"experiment=single_arm", f"{g}={o}"] for g in ("model", "simulation", "calibration") for o in GROUPS[g]]


@pytest.mark.parametrize("overrides", DESIGN_CASES + SCENARIO_CASES + OTHER_CASES, ids=" ".join)
def test_every_group_option_composes_and_validates(overrides):
    config = validate_config(compose_config(overrides))
    group, option = overrides[-1].split("=")
    node = getattr(config, group)
    if group in ("design", "scenario"):
        assert node.name in (option, "parametric")  # 'pessimistic' is a parametric scenario


def test_a_one_arm_scenario_is_refused_for_two_arms():
    from simtrial.config.errors import ConfigError

    with pytest.raises(ConfigError, match=r"scenario\.p_response: must have one rate per arm of the design \(2\)"):
        validate_config(compose_config(["experiment=two_arm", "scenario=pessimistic"]))


def test_the_defaults_compose():
    config = validate_config(compose_config([]))
    assert config.study == "quickstart" and config.seed == 20261123
