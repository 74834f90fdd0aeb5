"""Loading posteriors (errors named clearly, failed diagnostics refused), the config, the
diagnostics and the PPC table logic."""

from __future__ import annotations

import json
import types

import numpy as np
import pytest
import xarray as xr

from simtrial.calibration import CalibrationConfig, PosteriorError, load_posterior
from simtrial.calibration.config import validate
from simtrial.calibration.diagnostics import Thresholds, diagnose
from simtrial.calibration.posterior_io import packaged_path, save_posterior
from simtrial.calibration.ppc import Figure, ppc_table
from simtrial.models.parameters import GROUPS, PopulationParameters

FLAG = "calibration.allow_failed_diagnostics=true"


def _tree(n_chain=2, n_draw=50, drop=(), group_order=GROUPS, seed=0, diverging=0) -> xr.DataTree:
    rng = np.random.default_rng(seed)
    coords = {"chain": np.arange(n_chain), "draw": np.arange(n_draw), "group": list(group_order)}
    post = {}
    for drug in ("sirolimus", "mmf"):
        for name in ("mu", "log_ke0"):
            # value = group index, so the group order of a loaded posterior is checkable
            base = np.array([GROUPS.index(g) for g in group_order], float)
            post[f"{drug}_{name}"] = (("chain", "draw", "group"),
                                      base + 0.01 * rng.standard_normal((n_chain, n_draw, len(group_order))))
        for name in ("sigma", "log_ke0_sd"):
            post[f"{drug}_{name}"] = (("chain", "draw"), 1 + 0.1 * rng.random((n_chain, n_draw)))
    post["sirolimus_beta_mmf_failed"] = (("chain", "draw"), rng.standard_normal((n_chain, n_draw)))
    for name in drop:
        post.pop(name)
    stats = np.zeros((n_chain, n_draw), bool)
    stats.flat[:diverging] = True
    tree = xr.DataTree()
    tree["posterior"] = xr.DataTree(xr.Dataset(post, coords=coords))
    tree["sample_stats"] = xr.DataTree(xr.Dataset({"diverging": (("chain", "draw"), stats)},
                                                  coords={"chain": coords["chain"], "draw": coords["draw"]}))
    return tree


def _save(tmp_path, tree, ok=True, name="posterior.nc"):
    return save_posterior(tree, tmp_path / name, {"diagnostics_ok": ok, "problems": [] if ok else ["max r-hat 1.2 > 1.01"]})


def test_round_trip_gives_population_parameters_with_a_draw_axis(tmp_path):
    # enough independent draws that the recomputed diagnostics pass (ESS >= 400)
    path = _save(tmp_path, _tree(n_draw=500, group_order=tuple(reversed(GROUPS))))
    params = load_posterior(path)
    assert isinstance(params, PopulationParameters)
    assert params.n_draws == 1000
    assert params.sirolimus.mu.shape == (1000, len(GROUPS))
    # stored in reverse order, loaded in GROUPS order
    np.testing.assert_allclose(params.sirolimus.mu.mean(axis=0), np.arange(len(GROUPS)), atol=0.01)
    assert np.all(params.mmf.beta_mmf_failed == 0)  # the MMF effect has no prior-failure shift
    assert params.draw(3).sirolimus.mu.shape == (len(GROUPS),)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(PosteriorError, match=r"calibration.posterior: file not found: .*nothing.nc"):
        load_posterior(tmp_path / "nothing.nc")


def test_non_netcdf_file_is_refused(tmp_path):
    bad = tmp_path / "posterior.nc"
    bad.write_text("not a netcdf file\n")
    with pytest.raises(PosteriorError, match="is not a NetCDF posterior file"):
        load_posterior(bad)


def test_file_lacking_parameters_names_them(tmp_path):
    path = _save(tmp_path, _tree(drop=("sirolimus_sigma", "mmf_log_ke0")))
    with pytest.raises(PosteriorError, match=r"lacks the parameter\(s\) \['mmf_log_ke0', 'sirolimus_sigma'\]"):
        load_posterior(path)


def test_netcdf_without_posterior_group_is_refused(tmp_path):
    path = tmp_path / "other.nc"
    xr.Dataset({"x": ("a", np.arange(3.0))}).to_netcdf(path)
    with pytest.raises(PosteriorError, match="has no 'posterior' group"):
        load_posterior(path)


def test_failed_diagnostics_are_refused_unless_allowed(tmp_path):
    # 2 x 50 draws cannot reach ESS 400: refused whatever the stored attribute says (it says ok)
    path = _save(tmp_path, _tree(), ok=True)
    with pytest.raises(PosteriorError, match=rf"failed its diagnostics, recomputed from the draws \(.*min bulk ESS "
                                             rf"\d+ < 400.*\); set {FLAG}"):
        load_posterior(path)
    assert load_posterior(path, allow_failed_diagnostics=True).n_draws == 100


def test_posterior_without_stored_diagnostics_is_judged_by_its_draws(tmp_path):
    path = tmp_path / "raw.nc"
    _tree(n_draw=500).to_netcdf(path)
    assert load_posterior(path).n_draws == 1000


def test_packaged_posterior_loads_and_passed_its_diagnostics():
    params = load_posterior("packaged")
    assert params.n_draws is not None and params.n_draws >= 400
    assert params.sirolimus.mu.shape[-1] == len(GROUPS)
    meta = json.loads(packaged_path().with_suffix(".json").read_text())
    assert meta["command"] == "python -m simtrial.calibration.package"
    d = meta["diagnostics"]
    assert d["diagnostics_ok"] and d["max_rhat"] <= 1.01 and d["min_ess_bulk"] >= 400 and d["divergences"] == 0
    assert packaged_path().stat().st_size <= 2_000_000
    # the ALPS children respond far more often than single-lineage ones (Bride 2016)
    assert np.median(params.sirolimus.mu[:, GROUPS.index("alps")] - params.sirolimus.mu[:, GROUPS.index("single_lineage")]) > 1


def test_diagnostics_flag_divergences_and_bounds():
    rng = np.random.default_rng(0)
    tree = _tree(n_draw=500, diverging=2)
    d = diagnose(tree, Thresholds(rhat_max=1.01, ess_min=400))
    assert d.divergences == 2 and not d.ok
    assert "2 divergent transition(s)" in d.problems
    # two chains stuck at different values: r-hat far above 1.01
    stuck = _tree(n_draw=200)
    post = stuck["posterior"].to_dataset()
    post["sirolimus_sigma"] = post["sirolimus_sigma"] + np.array([0.0, 5.0])[:, None]
    stuck["posterior"] = xr.DataTree(post)
    d2 = diagnose(stuck)
    assert d2.max_rhat > 1.5 and d2.worst_rhat_variable == "sirolimus_sigma"
    assert any("r-hat" in p for p in d2.problems)
    del rng


@pytest.mark.parametrize("field, value, message", [
    ("sampler", "stan", r"sampler: must be one of \['nutpie', 'pymc'\]; got 'stan'"),
    ("prior", "flat", r"prior: must be one of \['default', 'sceptical', 'vague'\]; got 'flat'"),
    ("draws", 0, r"draws: must be an integer in \[1, 1000000\]; got 0"),
    ("chains", 1.5, r"chains: must be an integer in \[1, 64\]; got 1.5"),
    ("target_accept", 1.0, r"target_accept: must be a finite number in \(0, 1\); got 1.0"),
    ("allow_failed_diagnostics", "yes", r"allow_failed_diagnostics: must be true or false; got 'yes'"),
    ("ess_min", -1.0, r"ess_min"),
])
def test_config_errors_name_the_field_and_the_allowed_values(field, value, message):
    with pytest.raises(ValueError, match=message):
        CalibrationConfig(**{field: value})
    # the same check for a plain namespace (an OmegaConf node behaves alike)
    ns = types.SimpleNamespace(**(vars(CalibrationConfig()) | {field: value}))
    with pytest.raises(ValueError, match="calibration." + message):
        validate(ns)


def test_config_is_frozen_with_hydra_friendly_fields():
    import dataclasses

    cfg = CalibrationConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.draws = 5
    assert {f.type for f in dataclasses.fields(cfg)} <= {"int", "float", "str", "bool"}
    assert (cfg.sampler, cfg.prior, cfg.rhat_max, cfg.ess_min) == ("nutpie", "default", 1.01, 400.0)


def test_ppc_table_reports_interval_and_coverage():
    figs = [Figure("a", "a", "src", 5.0, lambda s: None), Figure("b", "b", "src", 40.0, lambda s: None),
            Figure("c", "c", "src", 1.0, lambda s: None)]
    pred = {"a": np.arange(100.0) / 10, "b": np.arange(100.0) / 10, "c": np.full(10, np.nan)}
    rows = {r["name"]: r for r in ppc_table(figs, pred)}
    assert rows["a"]["covered"] and not rows["b"]["covered"] and not rows["c"]["covered"]
    assert rows["a"]["lower"] == pytest.approx(np.quantile(pred["a"], 0.05))
    assert rows["a"]["upper"] == pytest.approx(np.quantile(pred["a"], 0.95))
    assert rows["a"]["interval"] == "90% equal-tailed"
    assert rows["c"]["undefined_share"] == 1.0


def test_config_works_as_a_hydra_structured_config():
    from omegaconf import OmegaConf

    node = OmegaConf.merge(OmegaConf.structured(CalibrationConfig),
                           OmegaConf.from_dotlist(["prior=vague", "draws=10", "allow_failed_diagnostics=true"]))
    validate(node)
    assert (node.prior, node.draws, node.allow_failed_diagnostics) == ("vague", 10, True)
    bad = OmegaConf.merge(OmegaConf.structured(CalibrationConfig), OmegaConf.from_dotlist(["sampler=stan"]))
    with pytest.raises(ValueError, match="calibration.sampler"):
        validate(bad)
