"""Issue 13 item 11: every malformed cohort or posterior file gives one error naming the file,
the field and what is wrong; posterior diagnostics are recomputed from the draws."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from simtrial.calibration.posterior_io import PosteriorError, load_posterior, save_posterior, stored_diagnostics
from simtrial.cohorts.loader import _DATA, CohortDataError, load_bride, load_letter
from simtrial.models.parameters import GROUPS

LETTER = Path(str(_DATA / "letter_table1a.csv")).read_text()
BRIDE = Path(str(_DATA / "bride2016_groups.csv")).read_text()


def _comments(text: str) -> str:
    return "".join(line + "\n" for line in text.splitlines() if line.startswith("#"))


def _header_only(text: str) -> str:
    body = [line for line in text.splitlines() if not line.startswith("#") and line.strip()]
    return _comments(text) + body[0] + "\n"


def _only_rows(text: str, keep) -> str:
    body = [line for line in text.splitlines() if not line.startswith("#") and line.strip()]
    return _comments(text) + "\n".join([body[0], *[r for r in body[1:] if keep(r)]]) + "\n"


LETTER_CASES = [
    ("header only", _header_only(LETTER).encode(), "no data rows (only the header)"),
    ("no primary ITP", _only_rows(LETTER, lambda r: r.split(",")[1] not in ("No", "")).encode(),
     "column 'alps_like_signs': no primary_itp patient"),
    ("utf-16", LETTER.encode("utf-16"), "not a UTF-8 text file"),
    ("binary", bytes(range(256)) * 4, "not a UTF-8 text file"),
    ("nul bytes", LETTER.replace("MMF", "M\x00F", 1).encode(), "not a text file (it holds NUL bytes"),
]


@pytest.mark.parametrize("content,message", [c[1:] for c in LETTER_CASES], ids=[c[0] for c in LETTER_CASES])
def test_malformed_letter_file_is_one_named_error(tmp_path, content, message):
    path = tmp_path / "letter.csv"
    path.write_bytes(content)
    with pytest.raises(CohortDataError) as err:
        load_letter(path)
    text = str(err.value)
    assert text.startswith(f"{path}: ") and message in text and "\n" not in text


BRIDE_CASES = [
    ("only ALPS", _only_rows(BRIDE, lambda r: r.startswith("alps")).encode(),
     "column 'group': missing the row(s) for ['multi_lineage', 'single_lineage']"),
    ("header only", _header_only(BRIDE).encode(), "no data rows"),
    ("utf-16", BRIDE.encode("utf-16"), "not a UTF-8 text file"),
]


@pytest.mark.parametrize("content,message", [c[1:] for c in BRIDE_CASES], ids=[c[0] for c in BRIDE_CASES])
def test_malformed_bride_file_is_one_named_error(tmp_path, content, message):
    path = tmp_path / "bride.csv"
    path.write_bytes(content)
    with pytest.raises(CohortDataError) as err:
        load_bride(path)
    assert str(err.value).startswith(f"{path}: ") and message in str(err.value)


def test_packaged_cohorts_still_load():
    assert len(load_letter().patients) == 19
    assert list(load_bride().groups["group"]) == ["alps", "multi_lineage", "single_lineage"]


# --- posteriors -------------------------------------------------------------------------------


def _tree(n_chain=2, n_draw=500, groups=GROUPS, extra_dim=False, fill=None, seed=1) -> xr.DataTree:
    rng = np.random.default_rng(seed)
    coords = {"chain": np.arange(n_chain), "draw": np.arange(n_draw), "group": list(groups)}
    post = {}
    for drug in ("sirolimus", "mmf"):
        for name in ("mu", "log_ke0"):
            shape = (n_chain, n_draw, len(groups)) + ((3,) if extra_dim else ())
            dims = ("chain", "draw", "group") + (("extra",) if extra_dim else ())
            post[f"{drug}_{name}"] = (dims, rng.standard_normal(shape))
        for name in ("sigma", "log_ke0_sd"):
            post[f"{drug}_{name}"] = (("chain", "draw"), 1 + 0.1 * rng.random((n_chain, n_draw)))
    post["sirolimus_beta_mmf_failed"] = (("chain", "draw"), rng.standard_normal((n_chain, n_draw)))
    if fill is not None:
        post["sirolimus_sigma"] = (("chain", "draw"), np.full((n_chain, n_draw), fill))
    tree = xr.DataTree()
    tree["posterior"] = xr.DataTree(xr.Dataset(post, coords=coords))
    tree["sample_stats"] = xr.DataTree(xr.Dataset({"diverging": (("chain", "draw"), np.zeros((n_chain, n_draw), bool))},
                                                  coords={"chain": coords["chain"], "draw": coords["draw"]}))
    return tree


def _save_ok(tmp_path, tree):
    """Stored diagnostics claim everything is fine: they must not be trusted."""
    return save_posterior(tree, tmp_path / "posterior.nc", {"diagnostics_ok": True, "problems": []})


POSTERIOR_CASES = [
    ("wrong labels", dict(groups=("a", "b", "c", "d", "e")), "expected exactly"),
    ("3 of 5 groups", dict(groups=GROUPS[:3]), "(missing ['multi_lineage', 'single_lineage'])"),
    ("extra dimension", dict(extra_dim=True), "has dimensions ('chain', 'draw', 'group', 'extra')"),
    ("draws all 1", dict(fill=1.0), "the draws of sirolimus_sigma do not vary"),
    ("non-finite draws", dict(fill=np.nan), "sirolimus_sigma has 1000 non-finite draw(s)"),
    ("one draw", dict(n_chain=1, n_draw=1), "has 1 draw(s)"),
]


@pytest.mark.parametrize("kwargs,message", [c[1:] for c in POSTERIOR_CASES], ids=[c[0] for c in POSTERIOR_CASES])
def test_malformed_posterior_is_one_named_error_even_when_its_diagnostics_say_ok(tmp_path, kwargs, message):
    path = _save_ok(tmp_path, _tree(**kwargs))
    for allow in (False, True):
        with pytest.raises(PosteriorError) as err:
            load_posterior(path, allow_failed_diagnostics=allow)
        assert str(err.value).startswith(f"calibration.posterior: {path}") and message in str(err.value)


def test_a_corrupt_diagnostics_attribute_is_named(tmp_path):
    tree = _tree()
    tree.attrs = {"simtrial_diagnostics": "{not json"}
    with pytest.raises(PosteriorError, match="attribute simtrial_diagnostics is not valid JSON"):
        stored_diagnostics(tree)
    path = tmp_path / "corrupt.nc"
    tree.to_netcdf(path)
    assert load_posterior(path).n_draws == 1000  # judged by its draws, not by the attribute


def test_diagnostics_are_recomputed_not_read(tmp_path):
    """Two chains that sample different places: r-hat fails although the file says ok."""
    tree = _tree()
    post = tree["posterior"].to_dataset()
    shifted = post["sirolimus_mu"].copy()
    shifted[1] += 5.0
    tree["posterior"] = xr.DataTree(post.assign(sirolimus_mu=shifted))
    path = _save_ok(tmp_path, tree)
    assert stored_diagnostics(xr.open_datatree(path))["diagnostics_ok"] is True
    with pytest.raises(PosteriorError, match=r"recomputed from the draws \(max r-hat"):
        load_posterior(path)


def test_the_scenario_names_itself_for_a_corrupt_posterior(tmp_path):
    """trial/setup.py renames calibration.posterior to scenario.posterior with type(exc)(msg)."""
    from types import SimpleNamespace

    from simtrial.trial.setup import load_parameters

    path = _save_ok(tmp_path, _tree(fill=np.inf))
    cfg = SimpleNamespace(scenario=SimpleNamespace(name="posterior", posterior=str(path)),
                          calibration=SimpleNamespace(allow_failed_diagnostics=False))
    with pytest.raises(ValueError, match=f"scenario.posterior: {path}: variable sirolimus_sigma has 1000 non-finite"):
        load_parameters(cfg)
