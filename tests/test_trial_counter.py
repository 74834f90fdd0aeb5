"""The counter-based streams of the trial-level draws (:mod:`simtrial.trial.counter`)."""

import numpy as np
import pytest
from scipy import stats

from simtrial.models.population import PopulationSpec
from simtrial.trial.counter import CounterStream, exponential, raw, uniform
from simtrial.trial.outcomes import OutcomeModel, sample_strata
from simtrial.trial.streams import STREAMS, counter_keys, counter_stream
from simtrial.trial.visits import visit_days

M64 = 2**64 - 1


def _splitmix64(seed: int, count: int) -> list[int]:
    """SplitMix64 as published (Steele, Lea & Flood 2014; prng.di.unimi.it/splitmix64.c), in Python ints."""
    out, x = [], seed
    for _ in range(count):
        x = (x + 0x9E3779B97F4A7C15) & M64
        z = x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        out.append(z ^ (z >> 31))
    return out


def test_reference_outputs_of_splitmix64():
    """SplitMix64 from seed 1234567 (the reference outputs listed by Rosetta Code, 'Pseudo-random
    numbers/Splitmix64', computed with the reference C code)."""
    want = [6457827717110365317, 3203168211198807973, 9817491932198370423, 4593380528125082431,
            16408922859458223821]
    assert raw(np.uint64(1234567), np.arange(5)).tolist() == want
    assert _splitmix64(1234567, 5) == want


def test_any_position_equals_the_sequential_generator():
    keys = np.array([0, 1, 2**63 + 12345, M64, 0x0123456789ABCDEF], dtype=np.uint64)
    got = raw(keys[:, None], np.arange(300))
    for i, key in enumerate(keys.tolist()):
        assert got[i].tolist() == _splitmix64(key, 300)
    # far positions without stepping through the ones before
    far = np.array([10**6, 2**40 + 7])
    assert raw(keys[1], far).tolist() == [_splitmix64((1 + (int(p)) * 0x9E3779B97F4A7C15) & M64, 1)[0] for p in far]


def test_uniforms_and_exponentials_are_numpys_conversions():
    key, idx = np.uint64(99), np.arange(1000)
    words = raw(key, idx)
    np.testing.assert_array_equal(uniform(key, idx), (words >> np.uint64(11)).astype(float) / 2.0**53)
    np.testing.assert_array_equal(exponential(key, idx), -np.log1p(-uniform(key, idx)))
    assert uniform(key, idx).min() >= 0.0 and uniform(key, idx).max() < 1.0


def test_stream_reads_in_order_with_generator_calls():
    s = CounterStream(2026)
    a = s.standard_exponential(64)
    b = s.random((3, 4))
    c = s.random()
    np.testing.assert_array_equal(a, exponential(np.uint64(2026), np.arange(64)))
    np.testing.assert_array_equal(b, uniform(np.uint64(2026), np.arange(64, 76)).reshape(3, 4))
    assert c == uniform(np.uint64(2026), 76)
    assert s.position == 77


@pytest.mark.parametrize("root", [np.random.SeedSequence(2026), np.random.SeedSequence([1, 2**40, 3]),
                                  np.random.SeedSequence(5).spawn(2)[1]])
def test_keys_are_the_seed_sequences_first_words(root):
    rows = [(0, STREAMS["accrual"]), (7, STREAMS["randomisation"], 3), (2**31, STREAMS["strata"])]
    for (r, c, *sub), key in zip(rows, [counter_keys(root, [row])[0] for row in rows]):
        seq = np.random.SeedSequence(root.entropy, spawn_key=tuple(root.spawn_key) + (r, c, *sub))
        assert key == seq.generate_state(4, np.uint64)[0]
    assert counter_stream(root, 7, "randomisation", 3).key == counter_keys(root, [rows[1]])[0]


def test_uniform_and_independent_across_streams_and_positions():
    """Chi-square of 10^6 uniforms over 100 bins, and the correlation of neighbouring streams and
    positions, each as a z-score (|z| < 4)."""
    keys = counter_keys(np.random.SeedSequence(11), np.column_stack([np.arange(1000), np.full(1000, 3)]))
    u = uniform(keys[:, None], np.arange(1000))
    counts = np.bincount((u * 100).astype(int).ravel(), minlength=100)
    chi2 = float(np.sum((counts - u.size / 100) ** 2 / (u.size / 100)))
    assert abs((chi2 - 99) / np.sqrt(2 * 99)) < 4
    assert abs((u.mean() - 0.5) / np.sqrt(1 / 12 / u.size)) < 4
    z = (u - 0.5) * np.sqrt(12)
    for a, b in ((z[1:], z[:-1]), (z[:, 1:], z[:, :-1])):  # neighbouring replicates, neighbouring positions
        assert abs(np.mean(a * b) * np.sqrt(a.size)) < 4
    e = exponential(keys[:, None], np.arange(1000))
    assert abs((e.mean() - 1.0) * np.sqrt(e.size)) < 4
    assert stats.kstest(e[:50].ravel(), "expon").pvalue > 1e-4


def _model(weights):
    return OutcomeModel(regimens=("sirolimus",) * 2, landmark_day=168.0, switch_day=84.0, followup_days=364.0,
                        visits=visit_days(), p_response=(0.3, 0.5), population=PopulationSpec(group_weights=weights))


def test_parametric_strata_follow_the_group_weights_and_not_n():
    model = _model([0.3, 0.25, 0.2, 0.15, 0.1])
    root, reps = np.random.SeedSequence(12), list(range(2000))
    small = sample_strata(model, root, reps, 20).reshape(2000, 20)
    big = sample_strata(model, root, reps, 150).reshape(2000, 150)
    np.testing.assert_array_equal(small, big[:, :20])
    p = np.asarray(model.population.group_weights, dtype=float)
    p /= p.sum()
    obs = np.bincount(big.ravel(), minlength=p.size)
    chi2 = float(np.sum((obs - big.size * p) ** 2 / (big.size * p)))
    assert abs((chi2 - (p.size - 1)) / np.sqrt(2 * (p.size - 1))) < 4


def test_a_group_with_no_weight_is_never_drawn():
    got = sample_strata(_model([0.0, 0.5, 0.0, 0.5, 0.0]), np.random.SeedSequence(3), range(500), 40)
    assert set(np.unique(got).tolist()) == {1, 3}
