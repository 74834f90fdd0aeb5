"""The trial simulator: patient outcomes in numpy, each trial's calendar in simpy.

See ``docs/simulator.md``. Entry points: :func:`simtrial.trial.replicates.simulate` (the chunked,
seeded replicate loop) and the ``trial`` study (:mod:`simtrial.studies.trial`).
"""
