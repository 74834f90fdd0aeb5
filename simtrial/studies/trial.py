"""The ``trial`` study: the CLI's thin adapter over :class:`simtrial.Trial`.

config -> ``to_domain()`` -> :class:`~simtrial.trial.simulator.Trial` -> :class:`SimulationResult`
-> files: ``oc.nc`` (per-replicate results, dims replicate and arm), ``duration.png``,
``responders.png`` and ``decisions.png``, and the headline figures, each with its Monte Carlo
standard error, for ``summary.json`` (see ``docs/simulator.md``). :func:`check_config` builds the
domain objects and runs every cross-group check; the app calls it before the run starts.
"""

from __future__ import annotations

from simtrial import atomic
from simtrial.config.errors import ConfigError
from simtrial.studies.context import RunContext

__all__ = ["check_config", "build_trial", "run"]

#: Trials built by check_config, keyed by the config groups they come from (the preflight, the
#: job's check and its run share one build: a Simon search or a posterior load is done once).
_BUILT: dict = {}


def _domain(node, group: str, **kwargs):
    from simtrial._core.validation import ValidationError

    try:
        return node.to_domain(**kwargs)
    except ValidationError as exc:
        raise ConfigError(exc.under(group).field, exc.problem, exc.value if exc._has_value else None) from None


def build_trial(cfg):
    """The :class:`~simtrial.trial.simulator.Trial` of a validated ``trial`` config.

    Raises
    ------
    ConfigError
        Naming the config field (``design.landmark_day``, ``scenario.p_response``, ...).
    """
    from simtrial._core.validation import ValidationError
    from simtrial.models.config import PatientModel
    from simtrial.trial.config import PosteriorScenarioConfig
    from simtrial.trial.simulator import Trial, check_compatible

    design = _domain(cfg.design, "design")
    sc = cfg.scenario
    if isinstance(sc, PosteriorScenarioConfig):  # the posterior file's checks follow the calibration flag
        allow = bool(getattr(getattr(cfg, "calibration", None), "allow_failed_diagnostics", False))
        scenario = _domain(sc, "scenario", allow_failed_diagnostics=allow)
    else:
        scenario = _domain(sc, "scenario")
    sites, schedule = _domain(cfg.simulation, "simulation")
    model = cfg.model.to_model() if getattr(cfg, "model", None) is not None else PatientModel()
    try:
        check_compatible(design, scenario, schedule, followup="simulation.followup_days")
        return Trial(design, scenario, sites=sites, schedule=schedule, model=model,
                     calendar=cfg.simulation.calendar)
    except ValidationError as exc:
        raise ConfigError(exc.field, exc.problem, exc.value if exc._has_value else None) from None


def check_config(cfg):
    """Every check across config groups (design, scenario, simulation), before the run starts.

    Builds the domain objects (``to_domain()``), which checks what one group cannot alone: a
    landmark or switch day beyond follow-up, ``p_response`` against the design's arms, the
    posterior file. Returns the :class:`~simtrial.trial.simulator.Trial`.
    """
    key = _key(cfg)
    if key not in _BUILT:
        if len(_BUILT) >= 8:
            _BUILT.pop(next(iter(_BUILT)))
        _BUILT[key] = build_trial(cfg)
    return _BUILT[key]


def _key(cfg) -> str:
    calibration = getattr(cfg, "calibration", None)
    return repr((cfg.design, cfg.scenario, cfg.simulation, getattr(cfg, "model", None),
                 getattr(calibration, "allow_failed_diagnostics", None)))


def _choices() -> tuple[str | None, str | None]:
    """The job's ``design`` and ``scenario`` config choices (e.g. ``single_arm``, ``pessimistic``),
    for figure titles; (None, None) outside a Hydra run (the objects' own names are used)."""
    from hydra.core.hydra_config import HydraConfig
    from omegaconf import OmegaConf

    if not HydraConfig.initialized():
        return None, None
    choices = OmegaConf.select(HydraConfig.get(), "runtime.choices") or {}
    return choices.get("design"), choices.get("scenario")


def run(cfg, ctx: RunContext) -> dict:
    """Simulate ``cfg.simulation.replicates`` trials of ``cfg.design`` under ``cfg.scenario``."""
    from simtrial.trial.results import clean

    trial = check_config(cfg)
    from simtrial.report.run_report import console_report, design_summary, write_run_report  # decisions

    rates = trial.scenario.rates(trial.design) if hasattr(trial.scenario, "rates") else None
    summary = design_summary(trial.design, trial.scenario, rates)
    print(summary, end="\n\n")  # the design summary comes before the simulated figures
    sim = cfg.simulation
    res = trial.simulate(sim.replicates, ctx.seed, chunk_size=sim.chunk_size, workers=sim.workers,
                         progress=ctx.progress)
    figs = res.figures()
    ds = res.to_xarray({"seed": int(cfg.seed)})
    with atomic.atomic_path(ctx.path("oc.nc")) as tmp:
        ds.to_netcdf(tmp, engine="netcdf4")
    title = res.title(*_choices())  # e.g. "single_arm n = 35, pessimistic (p = 0.35)"
    ctx.savefig(res.plot_duration(title), "duration.png")
    ctx.savefig(res.plot_responders(title), "responders.png")
    ctx.savefig(res.plot_decisions(title), "decisions.png")
    print(console_report(res))
    sequencing = None
    if trial.design.n_arms == 2 and trial.design.switches:  # the answer first: the report shows it
        from simtrial.studies.sequencing import answers

        sequencing = answers(trial, res, replicates=sim.replicates, seed=ctx.seed, chunk_size=sim.chunk_size,
                             workers=sim.workers, progress=ctx.progress)
        figs.update(sequencing)
    write_run_report(ctx.run_dir, res, images=[("duration.png", "Trial duration"),
                                                ("responders.png", "Responders per trial"),
                                                ("decisions.png", "Decisions")],
                     sequencing=sequencing)
    return clean(figs)
