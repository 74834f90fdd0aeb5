"""Calibration study (``experiment=calibrate``): fit the joint model, check it, report it.

Writes ``posterior.nc`` (DataTree: posterior, sample_stats, observed_data, prior,
prior_predictive, posterior_predictive), ``ppc.csv`` and ``report.html`` into the run
directory and returns the headline figures merged into ``summary.json``.
"""

from __future__ import annotations

import math

import pandas as pd

from simtrial.calibration.config import validate
from simtrial.calibration.data import published_data
from simtrial.calibration.fit import fit
from simtrial.calibration.posterior_io import save_posterior
from simtrial.calibration.ppc import figures, ppc_table
from simtrial.calibration.priors import get_prior
from simtrial.calibration.report import build_report
from simtrial.studies.context import RunContext


def _finite(x):
    """JSON-safe: NaN/inf -> None."""
    return None if isinstance(x, float) and not math.isfinite(x) else x


def run(cfg, ctx: RunContext) -> dict:
    """Fit the calibration named by ``cfg.calibration`` and write its outputs to ``ctx.run_dir``.

    Parameters
    ----------
    cfg
        Any object with ``calibration`` (:class:`~simtrial.calibration.CalibrationConfig` fields)
        and ``seed``; ``cohorts.load()`` is used when present.
    ctx : RunContext

    Returns
    -------
    dict
        ``max_rhat``, ``min_ess_bulk``, ``min_ess_tail``, ``divergences``, ``wall_time_s``,
        ``sampling_time_s``, ``diagnostics_ok``, ``diagnostics_problems``, ``ppc`` (one entry
        per published figure), ``ppc_covered``, ``ppc_total``, ``prior``, ``sampler``, ``draws``,
        ``chains``, ``posterior``.
    """
    calib = cfg.calibration
    validate(calib)
    cohorts = getattr(cfg, "cohorts", None)
    data = published_data(*cohorts.load()) if cohorts is not None and hasattr(cohorts, "load") else published_data()
    ctx.log.info("calibration: prior %s, sampler %s, %d chains x %d draws (tune %d)",
                 calib.prior, calib.sampler, calib.chains, calib.draws, calib.tune)
    result = fit(calib, ctx.seed, data=data, progressbar=ctx.progress_enabled)
    diag = result.diagnostics
    pp = result.tree["posterior_predictive"].to_dataset()
    ppc = ppc_table(figures(data), {k: pp[k].values for k in pp.data_vars})
    settings = {"sampler": calib.sampler, "draws": calib.draws, "tune": calib.tune, "chains": calib.chains,
                "target_accept": calib.target_accept, "prior": calib.prior, "seed": int(cfg.seed),
                "wall_time_s": result.wall_time_s}
    path = save_posterior(result.tree, ctx.path("posterior.nc"), diag.to_dict(),
                          {f"simtrial_{k}": str(v) for k, v in settings.items()})
    ctx.write_text("ppc.csv", pd.DataFrame(ppc).to_csv(index=False))
    build_report(result.tree, diag, ppc, get_prior(calib.prior), settings, ctx.path("report.html"))
    if not diag.ok:
        ctx.log.warning("calibration: diagnostics out of bounds: %s", "; ".join(diag.problems))
    return {
        "max_rhat": diag.max_rhat,
        "min_ess_bulk": diag.min_ess_bulk,
        "min_ess_tail": diag.min_ess_tail,
        "divergences": diag.divergences,
        "wall_time_s": result.wall_time_s,
        "sampling_time_s": result.sampling_time_s,
        "diagnostics_ok": diag.ok,
        "diagnostics_problems": diag.problems,
        "ppc": [{k: _finite(v) for k, v in row.items()} for row in ppc],
        "ppc_covered": sum(r["covered"] for r in ppc),
        "ppc_total": len(ppc),
        "prior": calib.prior,
        "sampler": calib.sampler,
        "draws": calib.draws,
        "chains": calib.chains,
        "posterior": str(path),
    }
