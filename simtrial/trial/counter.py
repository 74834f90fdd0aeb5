"""Counter-based random numbers for the trial-level draws: SplitMix64 read at any position.

The trial-level draws (disease-group strata of the parametric scenarios, parametric responses,
dropout, randomisation, accrual) are a few numbers per child and trial. Drawing them from one
``numpy.random.Generator`` per replicate costs far more in creating generators than in the
numbers themselves, so these streams are counter-based instead: a stream is a 64-bit key, and
its ``i``-th number is a pure function of ``(key, i)``, evaluated for a whole chunk of
replicates in a few array operations.

* The key of stream ``(r, component, *sub)`` is the first 64-bit word of
  ``SeedSequence(root.entropy, spawn_key=root.spawn_key + (r, component, *sub)).generate_state``
  (:func:`simtrial.trial.streams.seed_words`), so it depends only on the config's seed and the
  stream's address, as the generator streams do.
* Number ``i`` of a stream is the ``i``-th output of SplitMix64 (Steele, Lea & Flood, "Fast
  splittable pseudorandom number generators", OOPSLA 2014; the generator of Java's
  ``SplittableRandom``, which passes BigCrush) started from the key:
  ``mix64(key + (i + 1) * GAMMA)``. ``tests/test_trial_counter.py`` checks it against a literal
  sequential implementation and against SplitMix64's published reference outputs.
* A uniform on [0, 1) is the top 53 bits times 2**-53 (numpy's conversion); a standard
  exponential is ``-log1p(-u)`` (inversion).

:class:`CounterStream` reads one stream sequentially with the ``random`` / ``standard_exponential``
calls of a ``numpy.random.Generator``, for per-trial code (the simpy calendar, and the one-trial
randomisation oracle in ``tests/oracles/randomisation.py``); the vectorised paths read the same
positions with :func:`uniform` and :func:`exponential`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["GAMMA", "mix64", "raw", "uniform", "exponential", "CounterStream"]

#: SplitMix64's increment (the odd integer closest to 2**64 / golden ratio).
GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


def mix64(z: np.ndarray) -> np.ndarray:
    """SplitMix64's output function (a bijection of 64-bit words), element-wise."""
    return _mix_in_place(np.array(z, dtype=np.uint64))


def _mix_in_place(z: np.ndarray) -> np.ndarray:
    t = np.empty_like(z)
    for shift, mult in ((_S30, _M1), (_S27, _M2)):
        np.right_shift(z, shift, out=t)
        z ^= t
        z *= mult
    np.right_shift(z, _S31, out=t)
    z ^= t
    return z


def raw(keys, index) -> np.ndarray:
    """64-bit words number ``index`` of the streams ``keys`` (broadcast together).

    Parameters
    ----------
    keys : array_like of uint64
        Stream keys.
    index : array_like of int
        Positions (from 0) in the streams.
    """
    keys = np.asarray(keys, dtype=np.uint64)
    index = np.asarray(index, dtype=np.uint64)
    with np.errstate(over="ignore"):  # arithmetic modulo 2**64 is the algorithm
        return _mix_in_place(keys + (index + np.uint64(1)) * GAMMA)


def uniform(keys, index) -> np.ndarray:
    """Uniforms on [0, 1) at positions ``index`` of the streams ``keys`` (broadcast together)."""
    z = raw(keys, index)
    z >>= _S11
    out = z.astype(np.float64)
    out *= _TO_UNIT
    return out


def exponential(keys, index) -> np.ndarray:
    """Standard exponentials at positions ``index`` of the streams ``keys`` (by inversion)."""
    u = uniform(keys, index)
    np.negative(u, out=u)
    np.log1p(u, out=u)
    np.negative(u, out=u)
    return u


class CounterStream:
    """One counter-based stream read in order, with the calls of a ``numpy.random.Generator``.

    Parameters
    ----------
    key : int
        The stream's key (see :func:`simtrial.trial.streams.counter_keys`).
    position : int
        First position to read.
    """

    def __init__(self, key: int, position: int = 0):
        self.key = np.uint64(key)
        self.position = int(position)

    def _take(self, size) -> tuple[np.ndarray, tuple]:
        shape = () if size is None else tuple(np.atleast_1d(size).tolist())
        count = int(np.prod(shape, dtype=np.int64))
        index = np.arange(self.position, self.position + count, dtype=np.uint64)
        self.position += count
        return index, shape

    def random(self, size=None):
        """The next uniforms on [0, 1), shaped ``size`` (C order)."""
        index, shape = self._take(size)
        out = uniform(self.key, index).reshape(shape)
        return float(out) if size is None else out

    def standard_exponential(self, size=None):
        """The next standard exponentials, shaped ``size`` (C order)."""
        index, shape = self._take(size)
        out = exponential(self.key, index).reshape(shape)
        return float(out) if size is None else out
