"""Property tests of the IWG 2009 engine, and a check against a brute-force oracle.

The oracle restates the rules of Rodeghiero et al., Blood 2009;113:2386
literally, one patient at a time: a response day is the earliest day ``d_i`` of an observed
qualifying count with a later qualifying count ``d_j >= d_i + window`` and every observed count
between them qualifying; loss likewise with non-qualifying counts and the loss window. The engine
finds runs instead; the two must agree exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from simtrial.criteria import ALPS_NORMAL_COUNTS, IWG_2009, TWO_MONTHS_SUSTAINED, assess

SETTINGS = settings(max_examples=150, deadline=None)

# Counts drawn from values that sit on and around every threshold of the rules.
COUNT_VALUES = [0.0, 10.0, 19.9, 20.0, 29.9, 30.0, 35.0, 40.0, 60.0, 99.9, 100.0, 149.9, 150.0, 300.0]


@st.composite
def cohorts(draw, max_patients=5, max_visits=10):
    n = draw(st.integers(1, max_patients))
    v = draw(st.integers(1, max_visits))
    gaps = draw(st.lists(st.sampled_from([0.5, 1.0, 3.0, 6.0, 7.0, 14.0]), min_size=v, max_size=v))
    days = np.cumsum(gaps) - gaps[0]
    counts = np.array(
        draw(
            st.lists(
                st.lists(st.sampled_from(COUNT_VALUES + [math.nan]), min_size=v, max_size=v),
                min_size=n,
                max_size=n,
            )
        )
    )
    baseline = np.array(draw(st.lists(st.sampled_from([5.0, 10.0, 15.0, 20.0, 50.0]), min_size=n, max_size=n)))
    bleeding = None
    if draw(st.booleans()):
        bleeding = np.array(
            draw(st.lists(st.lists(st.booleans(), min_size=v, max_size=v), min_size=n, max_size=n))
        ) & (np.array(draw(st.lists(st.floats(0, 1), min_size=n * v, max_size=n * v))).reshape(n, v) < 0.2)
    return days, counts, baseline, bleeding


RULES = st.sampled_from([IWG_2009, ALPS_NORMAL_COUNTS, TWO_MONTHS_SUSTAINED])


# ---------------------------------------------------------------- brute-force oracle


def _first_confirmed(days, obs, qual, window, after=-math.inf):
    """Earliest d_i >= after of a confirmed pair (i, j), or NaN: the rule's wording, literally."""
    idx = [k for k in range(len(days)) if obs[k]]
    for a, i in enumerate(idx):
        if not qual[i] or days[i] < after:
            continue
        for j in idx[a:]:
            if not qual[j]:
                break
            if days[j] - days[i] >= window:
                return days[i]
    return math.nan


def _confirmed_member(days, obs, qual, window):
    """Visits lying within some confirmed pair (i..j), every observed visit between qualifying."""
    idx = [k for k in range(len(days)) if obs[k]]
    member = [False] * len(days)
    for a, i in enumerate(idx):
        for b in range(a, len(idx)):
            j = idx[b]
            if not qual[j]:
                break
            if days[j] - days[i] >= window:
                for k in idx[a : b + 1]:
                    member[k] = True
    return member


def oracle(days, counts, baseline, bleeding, rules):
    """Per patient: (code, day_response, day_cr, day_loss, time_in_response)."""
    out = []
    for p in range(counts.shape[0]):
        d, c = days, counts[p]
        bl = np.zeros(len(d), bool) if bleeding is None else bleeding[p]
        obs = [not math.isnan(c[k]) or bl[k] for k in range(len(d))]
        q_cr = [obs[k] and not bl[k] and c[k] >= rules.cr_threshold for k in range(len(d))]
        q_any = [
            q_cr[k]
            or (obs[k] and not bl[k] and c[k] >= rules.r_threshold and c[k] >= rules.r_fold * baseline[p])
            for k in range(len(d))
        ]
        day_resp = _first_confirmed(d, obs, q_any, rules.confirm_days)
        day_cr = _first_confirmed(d, obs, q_cr, rules.confirm_days)
        not_any = [obs[k] and not q_any[k] for k in range(len(d))]
        day_loss = (
            _first_confirmed(d, obs, not_any, rules.loss_days, after=day_resp)
            if not math.isnan(day_resp)
            else math.nan
        )
        # state at an observed visit: kind of the latest confirmed-membership visit at or before it
        m_in = _confirmed_member(d, obs, q_any, rules.confirm_days)
        m_out = _confirmed_member(d, obs, not_any, rules.loss_days)
        idx = [k for k in range(len(d)) if obs[k]]
        state, time_in = False, 0.0
        for a, k in enumerate(idx):
            if m_in[k]:
                state = True
            elif m_out[k]:
                state = False
            if a + 1 < len(idx) and state:
                time_in += d[idx[a + 1]] - d[k]
        span = d[idx[-1]] - d[idx[0]] if idx else 0.0
        share = time_in / span if span > 0 else math.nan
        code = 2 if not math.isnan(day_cr) else 1 if not math.isnan(day_resp) else 0
        out.append((code, day_resp, day_cr, day_loss, share))
    return out


@SETTINGS
@given(cohorts(), RULES)
def test_engine_matches_brute_force_oracle(data, rules):
    days, counts, baseline, bleeding = data
    res = assess(days, counts, baseline, bleeding, rules)
    for p, (code, d_resp, d_cr, d_loss, share) in enumerate(oracle(days, counts, baseline, bleeding, rules)):
        assert res.response_code[p] == code
        np.testing.assert_array_equal(
            [res.day_response[p], res.day_cr[p], res.day_loss[p]], [d_resp, d_cr, d_loss]
        )
        np.testing.assert_allclose(res.time_in_response[p], share, rtol=1e-12, equal_nan=True)


# ---------------------------------------------------------------- monotonicity


def _as_inf(x):
    return np.where(np.isnan(x), np.inf, x)


@SETTINGS
@given(cohorts(), RULES, st.data())
def test_raising_counts_never_lowers_the_best_response(data, rules, extra):
    """Raising counts (baseline fixed) only adds qualifying visits, so runs only grow: the best
    response never falls and the days of response and CR never come later."""
    days, counts, baseline, bleeding = data
    rises = np.array(
        extra.draw(st.lists(st.sampled_from([0.0, 0.1, 5.0, 50.0]), min_size=counts.size, max_size=counts.size))
    ).reshape(counts.shape)
    before = assess(days, counts, baseline, bleeding, rules)
    after = assess(days, counts + rises, baseline, bleeding, rules)
    assert (after.response_code >= before.response_code).all()
    assert (_as_inf(after.day_response) <= _as_inf(before.day_response)).all()
    assert (_as_inf(after.day_cr) <= _as_inf(before.day_cr)).all()


@SETTINGS
@given(cohorts(), RULES, st.data())
def test_removing_a_qualifying_visit_never_creates_a_response(data, rules, extra):
    """Setting a visit to NaN never creates a response at any level the removed count qualified
    for: a qualifying visit inside a run cannot break it (missed visits do not), and at an end it
    can only shorten the run. (Removing a *non*-qualifying dip can join two runs; see
    test_criteria.test_removing_a_dip_can_create_a_response.)"""
    days, counts, baseline, bleeding = data
    p = extra.draw(st.integers(0, counts.shape[0] - 1))
    v = extra.draw(st.integers(0, counts.shape[1] - 1))
    before = assess(days, counts, baseline, bleeding, rules)
    removed = counts.copy()
    removed[p, v] = np.nan
    bleed = None if bleeding is None else bleeding.copy()
    if bleed is not None:
        bleed[p, v] = False
    after = assess(days, removed, baseline, bleed, rules)
    c = counts[p, v]
    was_bleeding = bleeding is not None and bleeding[p, v]
    qualifies_cr = not was_bleeding and c >= rules.cr_threshold
    qualifies_any = qualifies_cr or (
        not was_bleeding and c >= rules.r_threshold and c >= rules.r_fold * baseline[p]
    )
    if qualifies_any:
        assert not (np.isnan(before.day_response[p]) and not np.isnan(after.day_response[p]))
        assert _as_inf(after.day_response[p]) >= _as_inf(before.day_response[p])
    if qualifies_cr:
        assert after.response_code[p] <= before.response_code[p]
        assert _as_inf(after.day_cr[p]) >= _as_inf(before.day_cr[p])
    others = np.arange(counts.shape[0]) != p
    np.testing.assert_array_equal(after.response_code[others], before.response_code[others])


# ---------------------------------------------------------------- invariances


@SETTINGS
@given(cohorts(max_patients=8), RULES, st.randoms(use_true_random=False))
def test_results_do_not_depend_on_patient_order(data, rules, random):
    days, counts, baseline, bleeding = data
    perm = list(range(counts.shape[0]))
    random.shuffle(perm)
    perm = np.array(perm)
    res = assess(days, counts, baseline, bleeding, rules)
    shuffled = assess(
        days, counts[perm], baseline[perm], None if bleeding is None else bleeding[perm], rules
    )
    pd.testing.assert_frame_equal(
        res.to_frame().iloc[perm].reset_index(drop=True),
        shuffled.to_frame().reset_index(drop=True),
    )


@SETTINGS
@given(cohorts(max_patients=8), RULES, st.integers(1, 4))
def test_shared_and_per_patient_days_and_chunks_agree(data, rules, chunk):
    """Shared 1-D days equal the same days repeated per patient, whatever the chunk size."""
    days, counts, baseline, bleeding = data
    shared = assess(days, counts, baseline, bleeding, rules).to_frame()
    per_patient = assess(
        np.tile(days, (counts.shape[0], 1)), counts, baseline, bleeding, rules, chunk_size=chunk
    ).to_frame()
    pd.testing.assert_frame_equal(shared, per_patient)


@SETTINGS
@given(cohorts(), RULES)
def test_output_invariants(data, rules):
    """CR implies response, the first response is no later than the first CR, a loss comes after
    the response, and shares lie in [0, 1] with CR time never above response time."""
    days, counts, baseline, bleeding = data
    res = assess(days, counts, baseline, bleeding, rules)
    has_cr = ~np.isnan(res.day_cr)
    assert (~np.isnan(res.day_response[has_cr])).all()
    assert (res.day_response[has_cr] <= res.day_cr[has_cr]).all()
    lost = ~np.isnan(res.day_loss)
    assert (res.day_loss[lost] > res.day_response[lost]).all()
    t, t_cr = res.time_in_response, res.time_in_cr
    ok = ~np.isnan(t)
    assert ((t[ok] >= 0) & (t[ok] <= 1) & (t_cr[ok] <= t[ok] + 1e-12)).all()
    assert list(res.response) == [("NR", "PR", "CR")[k] for k in res.response_code]
