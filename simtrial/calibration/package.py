"""Rebuild the packaged default posterior in ``simtrial/calibration/data/``.

``python -m simtrial.calibration.package`` fits the default calibration (default prior, nutpie,
the default :class:`CalibrationConfig`, seed :data:`PACKAGE_SEED`), thins it and writes
``default_posterior.nc`` and ``default_posterior.json`` (the command, settings, diagnostics of the
full fit and the posterior predictive checks).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import xarray as xr

from simtrial.atomic import write_json
from simtrial.calibration.config import CalibrationConfig
from simtrial.calibration.fit import fit
from simtrial.calibration.posterior_io import PACKAGED_NAME, packaged_path, required_variables, save_posterior
from simtrial.calibration.ppc import figures, ppc_table

PACKAGE_SEED: int = 20261123
#: Draws kept per chain in the packaged file (evenly thinned).
KEEP_PER_CHAIN: int = 500


def thin(tree: xr.DataTree, keep_per_chain: int = KEEP_PER_CHAIN) -> xr.DataTree:
    """The parameters (no per-patient latents), sample stats and predictive figures, thinned."""
    n = tree["posterior"].to_dataset().sizes["draw"]
    idx = np.linspace(0, n - 1, min(keep_per_chain, n)).astype(int)
    post = tree["posterior"].to_dataset()
    keep = [v for v in post.data_vars if "latent" not in post[v].dims]
    out = xr.DataTree()
    out["posterior"] = xr.DataTree(post[keep].isel(draw=idx))
    stats = tree["sample_stats"].to_dataset()
    out["sample_stats"] = xr.DataTree(stats[[v for v in ("diverging", "step_size", "depth", "energy")
                                             if v in stats]].isel(draw=idx))
    out["posterior_predictive"] = xr.DataTree(tree["posterior_predictive"].to_dataset().isel(draw=idx))
    out["observed_data"] = xr.DataTree(tree["observed_data"].to_dataset())
    assert set(required_variables()) <= set(keep)
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description="Rebuild the packaged default posterior")
    parser.add_argument("--out-dir", default=str(packaged_path().parent))
    args = parser.parse_args(argv)
    cfg = CalibrationConfig()
    result = fit(cfg, np.random.SeedSequence(PACKAGE_SEED))
    pp = result.tree["posterior_predictive"].to_dataset()
    ppc = ppc_table(figures(result.data), {k: pp[k].values for k in pp.data_vars})
    diag = result.diagnostics.to_dict()
    meta = {
        "command": "python -m simtrial.calibration.package",
        "settings": {k: getattr(cfg, k) for k in cfg.__dataclass_fields__} | {"seed": PACKAGE_SEED},
        "diagnostics": diag,
        "wall_time_s": result.wall_time_s,
        "ppc_covered": f"{sum(r['covered'] for r in ppc)}/{len(ppc)}",
        "ppc": ppc,
        "thinned": f"{KEEP_PER_CHAIN} draws per chain kept evenly of {cfg.draws}; per-patient latents dropped",
        "python": sys.version.split()[0],
    }
    out = Path(args.out_dir)
    save_posterior(thin(result.tree), out / PACKAGED_NAME, diag, {"simtrial_command": meta["command"]})
    write_json(out / PACKAGED_NAME.replace(".nc", ".json"), meta)
    print(json.dumps({k: meta[k] for k in ("diagnostics", "wall_time_s", "ppc_covered")}, indent=1))
    return meta


if __name__ == "__main__":
    main()
