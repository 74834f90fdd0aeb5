"""1:1 randomisation by permuted blocks within strata (disease group), with per-arm caps."""

from __future__ import annotations

from functools import lru_cache
from itertools import combinations

import numpy as np

__all__ = ["block_arrangements", "permuted_blocks", "cap_arms", "MAX_BLOCK_SIZE"]

#: Largest block size (C(12, 6) = 924 arrangements).
MAX_BLOCK_SIZE = 12


@lru_cache(maxsize=None)
def block_arrangements(block_size: int) -> np.ndarray:
    """Every block of ``block_size`` with half A (0) and half B (1), in lexicographic order.

    Returns
    -------
    numpy.ndarray of int8, shape (C(block_size, block_size / 2), block_size)
    """
    if block_size % 2 or not 2 <= block_size <= MAX_BLOCK_SIZE:
        raise ValueError(f"block_size: must be an even number from 2 to {MAX_BLOCK_SIZE}; got {block_size}")
    rows = []
    for b_places in combinations(range(block_size), block_size // 2):
        row = np.zeros(block_size, dtype=np.int8)
        row[list(b_places)] = 1
        rows.append(row)
    table = np.array(rows, dtype=np.int8)
    table.flags.writeable = False
    return table


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
        Even block size, at most :data:`MAX_BLOCK_SIZE`.
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
