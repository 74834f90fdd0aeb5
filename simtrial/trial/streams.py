"""Random streams of the simulator: one per replicate, component and patient block.

Replicate ``r`` gets ``SeedSequence(entropy, spawn_key=root.spawn_key + (r,))``, so its numbers
depend only on the config's seed and ``r``, never on chunk size, worker count or which other
replicates or designs run. Inside a replicate each component has its own child stream
(:data:`STREAMS`).

* The children's biology (``population``, ``biology``) comes from ``numpy.random.Generator``
  streams, split into blocks of :data:`BLOCK` patients, so patient ``k`` is the same child, with
  the same biology, whatever the trial's sample size (common random numbers across n and
  designs); the patient models need the Generator's distributions (beta, normal, choice).
* The trial-level draws (``randomisation`` per stratum, ``accrual``, ``dropout``,
  ``parametric``, ``strata``) are counter-based streams (:mod:`simtrial.trial.counter`) keyed by
  :func:`counter_keys`: number ``i`` of a stream is a function of its key and ``i``, so a chunk
  of replicates is drawn in a few array operations, and patient ``k``'s draws sit at fixed
  positions (common random numbers across n without blocks).
"""

from __future__ import annotations

import numpy as np

from simtrial.trial.counter import CounterStream

__all__ = ["STREAMS", "BLOCK", "stream", "streams", "counter_keys", "counter_stream",
           "Replay", "Stacked"]

#: Component streams of a replicate, by index.
STREAMS = {"population": 0, "biology": 1, "randomisation": 2, "accrual": 3, "dropout": 4, "parametric": 5,
           "strata": 6, "rerandomisation": 7}

#: Patients per block of a patient-level stream.
BLOCK = 64


def stream(root: np.random.SeedSequence, r: int, name: str, *sub: int) -> np.random.Generator:
    """Generator of component ``name`` (optionally sub-stream ``sub``) of replicate ``r``."""
    key = tuple(root.spawn_key) + (int(r), STREAMS[name], *map(int, sub))
    return np.random.Generator(np.random.PCG64(
        np.random.SeedSequence(root.entropy, spawn_key=key, pool_size=root.pool_size)))


# numpy's SeedSequence constants (numpy/random/bit_generator.pyx)
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R, _M32 = 0xCA01F9DD, 0x4973F715, 0xFFFFFFFF


def _words(x) -> list[int]:
    """An int, or a sequence of ints, as numpy's little-endian uint32 words (0 -> [0])."""
    if isinstance(x, (int, np.integer)):
        x, out = int(x), []
        while True:
            out.append(x & _M32)
            x >>= 32
            if not x:
                return out
    return [w for v in x for w in _words(v)]


class _Hash:
    """numpy's SeedSequence hash, applied to uint32 columns of many sequences at once."""

    def __init__(self, const: int, mult: int):
        self.const, self.mult = const, mult

    def __call__(self, value: np.ndarray) -> np.ndarray:
        value = value ^ np.uint32(self.const)
        self.const = (self.const * self.mult) & _M32
        value = value * np.uint32(self.const)
        return value ^ (value >> np.uint32(16))


def _mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    r = np.uint32(_MIX_L) * x - np.uint32(_MIX_R) * y
    return r ^ (r >> np.uint32(16))


def _seed_words(root: np.random.SeedSequence, keys: np.ndarray) -> np.ndarray:
    """``SeedSequence(root.entropy, spawn_key=root.spawn_key + key).generate_state(4, uint64)`` per row."""
    pool = root.pool_size
    run = _words(root.entropy) if root.entropy is not None else []
    run = run + [0] * max(pool - len(run), 0)  # numpy pads when there is a spawn key
    lead = np.array(run + _words(root.spawn_key), dtype=np.uint32)
    ent = np.concatenate([np.broadcast_to(lead, (keys.shape[0], lead.size)), keys.astype(np.uint32)], axis=1)
    h = _Hash(_INIT_A, _MULT_A)
    mixer = [h(ent[:, i]) if i < ent.shape[1] else h(np.zeros(ent.shape[0], np.uint32)) for i in range(pool)]
    for i_src in range(pool):
        for i_dst in range(pool):
            if i_src != i_dst:
                mixer[i_dst] = _mix(mixer[i_dst], h(mixer[i_src]))
    for i_src in range(pool, ent.shape[1]):
        for i_dst in range(pool):
            mixer[i_dst] = _mix(mixer[i_dst], h(ent[:, i_src]))
    g = _Hash(_INIT_B, _MULT_B)
    w = np.stack([g(mixer[i % pool]) for i in range(8)], axis=1).astype(np.uint64)
    return w[:, 0::2] | (w[:, 1::2] << np.uint64(32))


class _Seeded(np.random.bit_generator.ISeedSequence):
    """A seed sequence whose state words are already computed (see :func:`streams`)."""

    __slots__ = ("words",)

    def __init__(self, words: np.ndarray):
        self.words = words

    def generate_state(self, n_words, dtype=np.uint32):  # noqa: D102
        return self.words


def streams(root: np.random.SeedSequence, keys) -> list[np.random.Generator]:
    """``[stream(root, r, name, *sub) for (r, name, *sub) in keys]``, seeded in one vectorised pass.

    ``keys`` is an integer array of shape (n, m) of rows ``(r, STREAMS[name], *sub)``, every entry
    below 2**32. Each generator is the one :func:`stream` returns (the seed words are numpy's
    SeedSequence hash computed column-wise; ``tests/test_trial_streams.py`` checks the equality).
    """
    words = _seed_words(root, _checked_keys(keys))
    return [np.random.Generator(np.random.PCG64(_Seeded(w))) for w in words]


def _checked_keys(keys) -> np.ndarray:
    keys = np.asarray(keys, dtype=np.int64)
    if keys.ndim != 2 or keys.size and (keys.min() < 0 or keys.max() > _M32):
        raise ValueError("streams: keys must be a 2-d array of integers in [0, 2**32)")
    return keys


def counter_keys(root: np.random.SeedSequence, keys) -> np.ndarray:
    """Keys of the counter-based streams at the addresses ``keys`` (rows ``(r, STREAMS[name], *sub)``).

    The key is the first 64-bit word of the state numpy's ``SeedSequence`` makes for that
    address, the word a generator stream at the same address would be seeded with.

    Returns
    -------
    numpy.ndarray of uint64, shape (len(keys),)
    """
    return _seed_words(root, _checked_keys(keys))[:, 0]


def counter_stream(root: np.random.SeedSequence, r: int, name: str, *sub: int) -> CounterStream:
    """The counter-based stream of component ``name`` (sub-stream ``sub``) of replicate ``r``."""
    return CounterStream(int(counter_keys(root, [[int(r), STREAMS[name], *map(int, sub)]])[0]))


class Replay(np.random.Generator):
    """A generator that serves pre-drawn standard normals, in order, to a patient-model call.

    The patient models take a ``numpy.random.Generator``; to run them once over a whole chunk of
    replicates while every replicate keeps its own stream, the normals are drawn per replicate
    and patient beforehand and handed over through this object. Each ``standard_normal(size)``
    call must ask for exactly the shape of the next queued array; anything else raises, so a
    change in a model's draws cannot go unnoticed.
    """

    def __init__(self, queue):
        super().__init__(np.random.PCG64(0))
        self._queue = list(queue)

    def standard_normal(self, size=None, dtype=np.float64, out=None):  # noqa: D102
        if not self._queue:
            raise RuntimeError("Replay: a patient model drew more normals than were prepared")
        a = self._queue.pop(0)
        want = () if size is None else tuple(np.atleast_1d(size))
        if a.shape != want:
            raise RuntimeError(f"Replay: a patient model asked for shape {want}, prepared {a.shape}")
        return np.array(a, dtype=dtype)

    def _refuse(self, *args, **kwargs):
        raise RuntimeError("Replay: only standard_normal is prepared for the patient models")

    random = integers = uniform = normal = exponential = choice = beta = _refuse


class Stacked(np.random.Generator):
    """A generator whose draws for ``len(gens) * BLOCK`` patients come block by block from ``gens``.

    A patient-model call made once over many blocks (of one or many replicates) then draws
    exactly what it would draw if called per block with ``BLOCK`` patients: every call with a
    ``size`` having a patient axis of length ``len(gens) * BLOCK`` is split along that axis.
    Supports ``standard_normal``, ``random``, ``beta``, ``exponential`` and ``choice`` (with
    ``size``), the draws of :func:`simtrial.models.population.sample_population`.
    """

    def __init__(self, gens):
        super().__init__(np.random.PCG64(0))
        self._gens = list(gens)
        self._total = len(self._gens) * BLOCK

    def _split(self, method: str, size, *args, **kwargs):
        shape = tuple(np.atleast_1d(size))
        if self._total not in shape:
            raise RuntimeError(f"Stacked: size {shape} has no patient axis of length {self._total}")
        axis = shape.index(self._total)
        sub = shape[:axis] + (BLOCK,) + shape[axis + 1:]
        parts = [getattr(g, method)(*args, size=sub, **kwargs) for g in self._gens]
        return np.concatenate(parts, axis=axis)

    def standard_normal(self, size=None, dtype=np.float64, out=None):  # noqa: D102
        return self._split("standard_normal", size)

    def random(self, size=None, dtype=np.float64, out=None):  # noqa: D102
        return self._split("random", size)

    def exponential(self, scale=1.0, size=None):  # noqa: D102
        return self._split("exponential", size, scale)

    def beta(self, a, b, size=None):  # noqa: D102
        return self._split("beta", size, a, b)

    def choice(self, a, size=None, replace=True, p=None, axis=0, shuffle=True):  # noqa: D102
        return self._split("choice", size, a, replace=replace, p=p)
