"""Studies: what ``python -m simtrial experiment=NAME`` runs.

Each study is a module ``simtrial.studies.<name>`` with ``run(cfg, ctx) -> dict``: ``cfg`` is the
validated config object, ``ctx`` a :class:`~simtrial.studies.context.RunContext`; the returned
dict holds the study's headline figures (JSON-serialisable, finite), merged into
``summary.json``. The config's ``study`` field names the module.
"""
