"""One trial's 1:1 randomisation by permuted blocks within strata, with per-arm caps (oracle of
:func:`simtrial.trial.replicates.allocate`)."""

from __future__ import annotations

import numpy as np

from simtrial.trial.randomisation import block_arrangements

__all__ = ["permuted_blocks", "cap_arms"]


def permuted_blocks(strata: np.ndarray, block_size: int, gens: dict) -> np.ndarray:
    """Arm (0 = A, 1 = B) of each patient, in enrolment order.

    Each stratum has its own list of permuted blocks of ``block_size`` (half A, half B): block
    ``b`` is arrangement ``floor(u_b * K)`` of :func:`block_arrangements` (K of them, all equally
    likely), ``u_b`` the stratum stream's ``b``-th uniform; so the first allocations of a stratum
    do not depend on how many are drawn.

    Parameters
    ----------
    strata : numpy.ndarray of int, shape (n,)
        Stratum of each patient in enrolment order.
    block_size : int
        Even block size, at most 12.
    gens : mapping of int to CounterStream or numpy.random.Generator
        One stream per stratum present (:func:`simtrial.trial.streams.counter_stream` of
        component ``randomisation``, sub-stream the stratum, in the simulator).
    """
    table = block_arrangements(block_size)
    arm = np.empty(strata.shape[0], dtype=np.int8)
    for s in np.unique(strata):
        where = np.flatnonzero(strata == s)
        n_blocks = -(-where.size // block_size)
        choice = (gens[int(s)].random(n_blocks) * table.shape[0]).astype(np.intp)
        arm[where] = table[choice].ravel()[: where.size]
    return arm


def cap_arms(arm: np.ndarray, n_per_arm: int) -> np.ndarray:
    """Once an arm holds ``n_per_arm`` patients, allocate the rest to the other arm.

    The trial then has exactly ``n_per_arm`` per arm, as the exact calculations assume, while
    keeping the stratified blocks up to that point.
    """
    arm = np.asarray(arm, dtype=np.int8).copy()
    for k in (0, 1):
        full = np.cumsum(arm == k) > n_per_arm
        if full.any():
            first = int(np.argmax(full))
            arm[first:] = 1 - k
            break
    return arm
