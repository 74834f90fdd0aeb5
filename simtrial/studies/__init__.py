"""Studies: what ``python -m simtrial experiment=NAME`` runs.

Each study is a module ``simtrial.studies.<name>`` with ``run(cfg, ctx) -> dict``: ``cfg`` is the
validated config object, ``ctx`` a :class:`~simtrial.studies.context.RunContext`; the returned
dict holds the study's headline figures (JSON-serialisable, finite), merged into
``summary.json``. The config's ``study`` field names the module.
"""

from simtrial.paths import EXPERIMENTS_DIR


def available_studies() -> list[str]:
    """Names of the study modules in this package."""
    import pkgutil

    import simtrial.studies as pkg

    return sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if m.name != "context" and not m.name.endswith("_config"))


def available_experiments() -> list[str]:
    """Names of the named studies in ``experiments/`` (what ``experiment=`` accepts)."""
    return sorted(p.stem for p in EXPERIMENTS_DIR.glob("*.yaml"))
