"""Test oracles: the scalar, one-trial-at-a-time twins of production code.

Production has one path per concept; these straightforward references (per-trial loops written
for clarity, not speed) are what the tests compare the vectorised production code with:

randomisation
    ``permuted_blocks`` and ``cap_arms``: one trial's stratified permuted-block allocation
    (production: :func:`simtrial.trial.replicates.allocate` over a chunk).
rules
    The designs' look and final rules for one trial from scalar counts (production: the
    vectorised ``interim``/``final`` methods of the design objects).

The simpy calendar (:mod:`simtrial.trial.calendar`) is not here: it is production (the trial
clock with the patient models) and the reference the numpy calendar is tested against.
"""
