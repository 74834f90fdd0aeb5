"""simtrial: simulation and trial design for sirolimus (and MMF then sirolimus) in children with
refractory autoimmune cytopenias.

The public API (see ``docs/api.md``)::

    import simtrial as st
    d = st.designs.Simon.search(p0=0.2, p1=0.4, alpha=0.05, power=0.8)
    print(d)                                   # design summary with exact size and power
    res = st.Trial(d, st.scenarios.Parametric(0.4)).simulate(10_000, seed=1)
    res.summary()                              # estimate, MCSE, exact, z

Names are imported on first use, so ``import simtrial`` (and the CLI's ``--help``) stays cheap.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("simtrial-paedhaem")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0+unknown"

#: Public name -> (module, attribute or None for the module itself).
_API = {
    "designs": ("simtrial.designs", None),
    "scenarios": ("simtrial.scenarios", None),
    "sequencing": ("simtrial.sequencing", None),
    "Trial": ("simtrial.trial.simulator", "Trial"),
    "SimulationResult": ("simtrial.trial.results", "SimulationResult"),
    "Sites": ("simtrial.trial.enrolment", "Sites"),
    "Schedule": ("simtrial.trial.schedule", "Schedule"),
    "PatientModel": ("simtrial.models.config", "PatientModel"),
    "PopulationParameters": ("simtrial.models.parameters", "PopulationParameters"),
    "load_posterior": ("simtrial.calibration.posterior_io", "load_posterior"),
    "Decision": ("simtrial._core.codes", "Decision"),
    "Verdict": ("simtrial._core.codes", "Verdict"),
    "Regimen": ("simtrial._core.codes", "Regimen"),
}

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    try:
        module, attr = _API[name]
    except KeyError:
        raise AttributeError(f"module 'simtrial' has no attribute {name!r}") from None
    value = import_module(module) if attr is None else getattr(import_module(module), attr)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_API))
