"""1:1 randomisation by permuted blocks: the block arrangements.

The allocation itself (permuted blocks within disease group, capped per arm) is computed for a
chunk of trials by :func:`simtrial.trial.replicates.allocate`; its one-trial reference is
``tests/oracles/randomisation.py``.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import combinations

import numpy as np

__all__ = ["block_arrangements", "MAX_BLOCK_SIZE"]

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
