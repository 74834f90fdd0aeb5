"""The trial simulator: patient outcomes in numpy, each trial's calendar in simpy (or numpy in the
parametric scenarios).

See ``docs/simulator.md`` and ``docs/api.md``. Entry point: :class:`simtrial.trial.simulator.Trial`
(``simtrial.Trial``), which takes domain objects (a design, a scenario, ``Sites``, ``Schedule``)
and returns a :class:`simtrial.trial.results.SimulationResult`; the ``trial`` study
(:mod:`simtrial.studies.trial`) builds them from the config.
"""
