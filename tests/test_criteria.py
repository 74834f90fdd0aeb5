"""Hand-worked cases of the IWG 2009 response engine (Rodeghiero et al., Blood 2009;113:2386).

Every expected value below is worked out by hand from the rules of Rodeghiero et al. 2009: CR a count
>= 100, R a count >= 30 and >= 2 x baseline, confirmation by a second qualifying count >= 7 days
later with every count in between qualifying, loss by two non-qualifying counts >= 1 day apart.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from simtrial.criteria import (
    ALPS_NORMAL_COUNTS,
    IWG_2009,
    TWO_MONTHS_SUSTAINED,
    ResponseRules,
    assess,
)

NAN = math.nan


def one(days, counts, baseline=15.0, bleeding=None, rules=None):
    """Assess a single patient; return the result."""
    bleed = None if bleeding is None else np.array([bleeding], dtype=bool)
    return assess(np.array(days, float), np.array([counts], float), [baseline], bleed, rules)


def summary(res):
    """(response, day_response, day_cr, day_loss) of patient 0, NaN as None."""
    f = lambda x: None if np.isnan(x) else float(x)  # noqa: E731
    return (
        str(res.response[0]),
        f(res.day_response[0]),
        f(res.day_cr[0]),
        f(res.day_loss[0]),
    )


# ---------------------------------------------------------------- thresholds


def test_cr_threshold_equality_qualifies():
    assert summary(one([0, 7], [100, 100], baseline=20)) == ("CR", 0.0, 0.0, None)


def test_just_below_cr_threshold_is_pr():
    assert summary(one([0, 7], [99.9, 100], baseline=20)) == ("PR", 0.0, None, None)


def test_r_threshold_equality_qualifies():
    assert summary(one([0, 7], [30, 30], baseline=10)) == ("PR", 0.0, None, None)


def test_just_below_r_threshold_is_nr():
    assert summary(one([0, 7], [29.9, 30], baseline=10)) == ("NR", None, None, None)


def test_exactly_twice_baseline_qualifies():
    assert summary(one([0, 7], [40, 40], baseline=20)) == ("PR", 0.0, None, None)


def test_35_on_baseline_20_is_not_r():
    """35 >= 30 but 35 < 2 x 20: not R (the issue's example)."""
    assert summary(one([0, 7], [35, 35], baseline=20)) == ("NR", None, None, None)


def test_cr_does_not_need_a_twofold_rise():
    """IWG CR is a count >= 100 alone; a baseline of 60 (2x = 120) does not block it."""
    assert summary(one([0, 7], [100, 100], baseline=60)) == ("CR", 0.0, 0.0, None)


# ---------------------------------------------------------------- confirmation window


def test_six_days_apart_does_not_confirm():
    assert summary(one([0, 6], [50, 50])) == ("NR", None, None, None)


def test_seven_days_apart_confirms():
    assert summary(one([0, 7], [50, 50])) == ("PR", 0.0, None, None)


def test_run_of_short_steps_confirms_from_its_first_count():
    assert summary(one([0, 3, 6, 9], [15, 50, 50, 50])) == ("NR", None, None, None)
    assert summary(one([0, 3, 6, 10], [15, 50, 50, 50])) == ("PR", 3.0, None, None)


def test_dip_in_between_breaks_the_run():
    assert summary(one([0, 3, 7], [50, 10, 50])) == ("NR", None, None, None)


def test_dip_then_new_run_dates_response_from_the_new_run():
    assert summary(one([0, 3, 7, 14], [50, 10, 50, 50])) == ("PR", 7.0, None, None)


def test_missed_visit_in_between_does_not_break_the_run():
    assert summary(one([0, 3, 7], [50, NAN, 50])) == ("PR", 0.0, None, None)


def test_missed_visit_does_not_confirm():
    assert summary(one([0, 7], [50, NAN])) == ("NR", None, None, None)


def test_removing_a_dip_can_create_a_response():
    """Documented consequence of "a missed visit does not break a run": dropping the dip at day
    3 leaves 50 at day 0 and 50 at day 7, a confirmed response."""
    assert summary(one([0, 3, 7], [50, 10, 50]))[0] == "NR"
    assert summary(one([0, 3, 7], [50, NAN, 50]))[0] == "PR"


# ---------------------------------------------------------------- CR and R together


def test_cr_preceded_by_pr():
    res = one([0, 7, 14, 21, 28], [15, 50, 60, 120, 130])
    assert summary(res) == ("CR", 7.0, 21.0, None)
    assert res.response_code[0] == 2


def test_first_response_at_cr_level_gives_equal_days():
    assert summary(one([0, 7, 14], [15, 120, 130])) == ("CR", 7.0, 7.0, None)


def test_mixed_cr_and_r_counts_confirm_a_response_but_not_a_cr():
    """120, 50, 120: every count is in response (CR counts count for R), so R is confirmed at
    day 0; the 50 breaks the CR-level run, so no CR."""
    assert summary(one([0, 7, 14], [120, 50, 120])) == ("PR", 0.0, None, None)


def test_unconfirmed_cr_inside_confirmed_pr():
    assert summary(one([0, 7, 14, 21], [15, 50, 120, 50])) == ("PR", 7.0, None, None)


# ---------------------------------------------------------------- bleeding


def test_bleeding_visit_qualifies_for_nothing():
    assert summary(one([0, 7], [50, 50], bleeding=[False, True])) == ("NR", None, None, None)
    assert summary(one([0, 7], [150, 150], bleeding=[True, False])) == ("NR", None, None, None)


def test_bleeding_breaks_a_run_even_without_a_count():
    """A bleeding report is an observed, non-qualifying visit even if no count was taken."""
    res = one([0, 3, 7], [50, NAN, 50], bleeding=[False, True, False])
    assert summary(res) == ("NR", None, None, None)
    assert res.n_observed[0] == 3


def test_bleeding_breaks_cr_only_where_it_occurs():
    res = one([0, 7, 14, 21], [150, 150, 150, 150], bleeding=[False, False, True, False])
    assert summary(res) == ("CR", 0.0, 0.0, None)


# ---------------------------------------------------------------- loss of response


def test_two_low_counts_one_day_apart_confirm_a_loss():
    res = one([0, 7, 14, 15], [50, 50, 10, 10])
    assert summary(res) == ("PR", 0.0, None, 14.0)


def test_single_low_count_is_not_a_loss():
    assert summary(one([0, 7, 14, 21], [50, 50, 10, 50])) == ("PR", 0.0, None, None)


def test_low_count_at_last_visit_is_not_a_loss():
    assert summary(one([0, 7, 14], [50, 50, 10])) == ("PR", 0.0, None, None)


def test_low_counts_less_than_one_day_apart_do_not_confirm_a_loss():
    assert summary(one([0, 7, 14, 14.5], [50, 50, 10, 10])) == ("PR", 0.0, None, None)
    assert summary(one([0, 7, 14, 14.5, 15], [50, 50, 10, 10, 10])) == ("PR", 0.0, None, 14.0)


def test_qualifying_count_between_low_counts_blocks_the_loss():
    assert summary(one([0, 7, 14, 15, 16], [50, 50, 10, 50, 10])) == ("PR", 0.0, None, None)


def test_missed_visit_between_low_counts_does_not_block_the_loss():
    assert summary(one([0, 7, 14, 15, 16], [50, 50, 10, NAN, 10])) == ("PR", 0.0, None, 14.0)


def test_loss_by_falling_below_twofold_baseline():
    """Baseline 20: a count of 35 is >= 30 but below 40, hence not R and a loss when repeated."""
    res = one([0, 7, 14, 21], [50, 50, 35, 35], baseline=20)
    assert summary(res) == ("PR", 0.0, None, 14.0)


def test_loss_by_bleeding():
    res = one([0, 7, 14, 15], [50, 50, 50, 50], bleeding=[False, False, True, True])
    assert summary(res) == ("PR", 0.0, None, 14.0)


def test_low_counts_before_the_response_are_not_a_loss():
    assert summary(one([0, 1, 7, 14], [10, 10, 50, 50])) == ("PR", 7.0, None, None)


def test_loss_of_cr_while_still_in_response():
    res = one([0, 7, 14, 15], [150, 150, 50, 50])
    assert summary(res) == ("CR", 0.0, 0.0, None)
    assert res.day_loss_cr[0] == 14.0


# ---------------------------------------------------------------- time in response


def test_time_in_response_with_a_confirmed_loss():
    """Days 0..42 weekly, counts 15 50 50 10 10 50 10 (baseline 15): in response over [7, 21)
    (the 50 at 35 is unconfirmed), so 14 of 42 observed days = 1/3; loss at 21."""
    res = one([0, 7, 14, 21, 28, 35, 42], [15, 50, 50, 10, 10, 50, 10])
    assert summary(res) == ("PR", 7.0, None, 21.0)
    assert res.time_in_response[0] == pytest.approx(14 / 42, rel=1e-12)
    assert res.time_in_cr[0] == 0.0


def test_time_in_response_carries_over_an_unconfirmed_dip():
    """Counts 15 50 50 10 50 50 on days 0..35: the lone 10 at day 21 is no loss, so the patient
    is in response from 7 to 35: 28 of 35 days."""
    res = one([0, 7, 14, 21, 28, 35], [15, 50, 50, 10, 50, 50])
    assert res.time_in_response[0] == pytest.approx(28 / 35, rel=1e-12)
    assert np.isnan(res.day_loss[0])


def test_time_in_response_uses_observed_follow_up_only():
    """Follow-up runs from the first to the last observed visit (10 to 24 here): in response
    from 17 to 24, 7 of 14 days."""
    res = one([0, 10, 17, 24, 40], [NAN, 15, 50, 50, NAN])
    assert res.time_in_response[0] == pytest.approx(0.5, rel=1e-12)
    assert (res.first_day[0], res.last_day[0], res.n_observed[0]) == (10.0, 24.0, 3)


def test_time_in_response_undefined_with_one_observed_visit():
    res = one([0, 7], [NAN, 50])
    assert np.isnan(res.time_in_response[0])
    assert res.response[0] == "NR"


def test_all_missed_is_nr():
    res = one([0, 7, 14], [NAN, NAN, NAN])
    assert summary(res) == ("NR", None, None, None)
    assert res.n_observed[0] == 0 and np.isnan(res.first_day[0])


# ---------------------------------------------------------------- variants


def test_alps_normal_counts_variant_needs_150_for_cr():
    assert summary(one([0, 7], [120, 130], rules=ALPS_NORMAL_COUNTS))[0] == "PR"
    assert summary(one([0, 7], [150, 150], rules=ALPS_NORMAL_COUNTS))[0] == "CR"
    assert summary(one([0, 7], [120, 130], rules=IWG_2009))[0] == "CR"


def test_two_months_variant_needs_56_days():
    days = 7.0 * np.arange(9)  # 0..56
    counts = [50.0] * 9
    assert summary(one(days[:8], counts[:8], rules=TWO_MONTHS_SUSTAINED))[0] == "NR"  # span 49
    assert summary(one(days, counts, rules=TWO_MONTHS_SUSTAINED)) == ("PR", 0.0, None, None)


def test_zero_window_confirms_a_single_count():
    rules = ResponseRules(confirm_days=0.0, loss_days=0.0)
    assert summary(one([0, 7, 14], [15, 50, 10], rules=rules)) == ("PR", 7.0, None, 14.0)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"cr_threshold": 0.0}, "cr_threshold"),
        ({"cr_threshold": math.inf}, "cr_threshold"),
        ({"r_threshold": -1.0}, "r_threshold"),
        ({"r_threshold": 120.0}, "r_threshold"),
        ({"r_fold": 0.5}, "r_fold"),
        ({"r_fold": "2"}, "r_fold"),
        ({"confirm_days": -1.0}, "confirm_days"),
        ({"confirm_days": math.nan}, "confirm_days"),
        ({"loss_days": -0.5}, "loss_days"),
        ({"name": ""}, "name"),
    ],
)
def test_rules_validation(kwargs, field):
    with pytest.raises(ValueError, match=rf"rules\.{field}"):
        ResponseRules(**kwargs)


def test_rules_are_frozen():
    with pytest.raises(AttributeError):
        IWG_2009.cr_threshold = 50.0  # type: ignore[misc]


# ---------------------------------------------------------------- several patients, API


def test_per_patient_days_and_vectorised_batch():
    days = np.array([[0, 7, 14], [0, 5, 12]], float)
    counts = np.array([[50, 50, 10], [50, 50, 50]], float)
    res = assess(days, counts, [15, 15])
    assert list(res.response) == ["PR", "PR"]
    assert list(res.day_response) == [0.0, 0.0]
    # patient 0: 50 at 0 and 6 is only 6 days, and the 10 at day 12 ends the run -> NR
    res = assess(np.array([[0, 6, 12], [0, 5, 12]], float), counts, [15, 15])
    assert list(res.response) == ["NR", "PR"]


def test_integer_counts_accepted():
    res = assess(np.array([0, 7]), np.array([[100, 100]]), np.array([20]))
    assert res.response[0] == "CR"


def test_empty_cohort():
    res = assess(np.array([0.0, 7.0]), np.empty((0, 2)), np.empty(0))
    assert res.n_patients == 0 and res.to_frame().shape[0] == 0


def test_responded_by_landmark():
    res = assess([0, 7, 14, 21, 28], [[15, 50, 60, 120, 130], [15, 15, 15, 15, 15]], [15, 15])
    assert list(res.responded_by(7)) == [True, False]  # equality with the landmark counts
    assert list(res.responded_by(6.9)) == [False, False]
    assert list(res.responded_by(20, level="CR")) == [False, False]
    assert list(res.responded_by(21, level="CR")) == [True, False]
    assert list(res.responded_by(np.array([7.0, 100.0]))) == [True, False]
    with pytest.raises(ValueError, match="level"):
        res.responded_by(7, level="PR")
    with pytest.raises(ValueError, match="day"):
        res.responded_by(np.array([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="day"):
        res.responded_by(NAN)


def test_response_duration_event_and_censored():
    res = assess(
        [0, 7, 14, 15, 30], [[50, 50, 10, 10, 10], [15, 50, 50, 50, 50], [15] * 5], [15] * 3
    )
    duration, lost = res.response_duration()
    assert list(lost) == [True, False, False]
    assert duration[0] == 14.0 and duration[1] == 23.0 and np.isnan(duration[2])


def test_to_frame_is_tidy():
    res = assess([0, 7, 14], [[15, 50, 50], [15, 120, 130]], [15, 15])
    frame = res.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert frame.shape[0] == 2 and frame.index.name == "patient"
    assert list(frame["response"]) == ["PR", "CR"]
    assert list(frame["response_code"]) == [1, 2]
    for col in ("day_response", "day_cr", "day_loss", "time_in_response", "rules"):
        assert col in frame.columns


def test_result_is_frozen_and_read_only():
    res = assess([0, 7], [[50, 50]], [15])
    with pytest.raises(AttributeError):
        res.day_cr = np.array([1.0])  # type: ignore[misc]
    with pytest.raises(ValueError):
        res.day_response[0] = 3.0


# ---------------------------------------------------------------- invalid input

GOOD_DAYS = np.array([0.0, 7.0, 14.0])
GOOD_COUNTS = np.array([[15.0, 50.0, 50.0], [10.0, 120.0, 150.0]])
GOOD_BASE = np.array([15.0, 10.0])


@pytest.mark.parametrize(
    "change, argument",
    [
        ({"counts": GOOD_COUNTS[0]}, "counts"),
        ({"counts": np.array([[15.0, -1.0, 50.0], [10.0, 120.0, 150.0]])}, "counts"),
        ({"counts": np.array([[15.0, np.inf, 50.0], [10.0, 120.0, 150.0]])}, "counts"),
        ({"counts": np.array([[1, 0, 1], [0, 1, 1]], dtype=bool)}, "counts"),
        ({"counts": np.empty((2, 0))}, "counts"),
        ({"days": np.array([0.0, 7.0])}, "days"),
        ({"days": np.array([0.0, 7.0, 7.0])}, "days"),
        ({"days": np.array([0.0, 14.0, 7.0])}, "days"),
        ({"days": np.array([-7.0, 0.0, 7.0])}, "days"),
        ({"days": np.array([0.0, np.nan, 14.0])}, "days"),
        ({"days": np.zeros((3, 3))}, "days"),
        ({"days": np.array([[0.0, 7.0, 14.0], [0.0, 7.0, 3.0]])}, "days"),
        ({"baseline": np.array([15.0])}, "baseline"),
        ({"baseline": np.array([15.0, np.nan])}, "baseline"),
        ({"baseline": np.array([15.0, 0.0])}, "baseline"),
        ({"baseline": np.array([15.0, -3.0])}, "baseline"),
        ({"bleeding": np.zeros((2, 3), dtype=int)}, "bleeding"),
        ({"bleeding": np.zeros((2, 2), dtype=bool)}, "bleeding"),
        ({"rules": {"cr_threshold": 100}}, "rules"),
    ],
)
def test_invalid_input_names_the_argument(change, argument):
    kwargs = {"days": GOOD_DAYS, "counts": GOOD_COUNTS, "baseline": GOOD_BASE}
    kwargs.update(change)
    with pytest.raises(ValueError, match=rf"^{argument}"):
        assess(**kwargs)


def test_invalid_chunk_size():
    with pytest.raises(ValueError, match="chunk_size"):
        assess(GOOD_DAYS, GOOD_COUNTS, GOOD_BASE, chunk_size=0)


# ---------------------------------------------------------------- the Genoa/Catania letter

# Table 1A of the letter (Am J Hematol), from the packaged cohort rows: patient, group,
# response, day to PR, day to CR (None where the table prints a dash).


def _letter_rows():
    from simtrial.cohorts import load_letter

    def day(x):
        return None if math.isnan(x) else float(x)

    p = load_letter().patients
    return [
        (int(r.patient), "primary" if r.group == "primary_itp" else "ARS", r.response, day(r.day_pr), day(r.day_cr))
        for r in p.itertuples()
    ]


LETTER_TABLE_1A = _letter_rows()


def letter_series(rows, rng):
    """Build one visit series per row of Table 1A, consistent with its reported days.

    Visits are weekly from day 0 to 28 days past the last reported day (at least 182) plus the
    reported days themselves. Before the first reported day the count sits at baseline (10-20)
    with an unconfirmed blip to R level 14 days before it (followed by a fall 7 days later, so it
    must not count); from the PR day the count is R level (>= 30 and >= 2 x baseline, below 100);
    from the CR day CR level. One visit inside each response run is missed (NaN).
    """
    all_days = sorted(
        {7.0 * k for k in range(0, (600 + 28) // 7 + 1)}
        | {float(d) for r in rows for d in r[3:] if d is not None}
    )
    days = np.array(all_days)
    n = len(rows)
    baseline = rng.uniform(10, 20, n).round(1)
    counts = np.empty((n, days.size))
    for i, (_, _, _, pr, cr) in enumerate(rows):
        first = min(d for d in (pr, cr, math.inf) if d is not None)
        level = baseline[i] * rng.uniform(0.6, 1.4, days.size)
        r_level = np.maximum(2 * baseline[i], 30) * rng.uniform(1.05, 2.5, days.size)
        cr_level = rng.uniform(100, 250, days.size)
        counts[i] = np.where(days >= first, r_level, level)
        if cr is not None:
            counts[i] = np.where(days >= cr, cr_level, counts[i])
        if math.isfinite(first) and first >= 14:
            blip = np.flatnonzero(days >= first - 14)[0]
            counts[i, blip] = r_level[blip]
        if math.isfinite(first):
            after = np.flatnonzero(days > first)[1]  # the second visit after the first response
            counts[i, after] = np.nan
        last = max(d for d in (pr, cr, 182) if d is not None) + 28
        counts[i, days > last] = np.nan
    return days, counts, baseline


def test_letter_table_1a_is_recovered():
    """Each patient's class and days to PR and CR from Table 1A of the Genoa/Catania letter.

    "—/43" means no PR date was recorded and CR came at day 43, so the first confirmed response is
    at day 43 and ``day_cr`` is 43; "29/—" means PR at day 29 and never CR.
    """
    rng = np.random.default_rng(1)
    days, counts, baseline = letter_series(LETTER_TABLE_1A, rng)
    res = assess(days, counts, baseline)
    for i, (patient, _, response, pr, cr) in enumerate(LETTER_TABLE_1A):
        first = pr if pr is not None else cr
        assert res.response[i] == response, patient
        if first is None:
            assert np.isnan(res.day_response[i]), patient
        else:
            assert res.day_response[i] == first, patient
        if cr is None:
            assert np.isnan(res.day_cr[i]), patient
        else:
            assert res.day_cr[i] == cr, patient
        assert np.isnan(res.day_loss[i]), patient


def test_letter_table_1b_and_medians_follow():
    """Table 1B and the text of the letter: primary ITP 5/10 respond (all CR), ARS-ITP 8/9
    (5 CR, 3 PR), overall 13/19; median time to CR 158 days (range 14-579)."""
    rng = np.random.default_rng(2)
    days, counts, baseline = letter_series(LETTER_TABLE_1A, rng)
    frame = assess(days, counts, baseline).to_frame()
    frame["group"] = [row[1] for row in LETTER_TABLE_1A]
    table = pd.crosstab(frame["group"], frame["response"])
    assert table.loc["primary"].to_dict() == {"CR": 5, "NR": 5, "PR": 0}
    assert table.loc["ARS"].to_dict() == {"CR": 5, "NR": 1, "PR": 3}
    assert (frame["response"] != "NR").sum() == 13
    day_cr = frame["day_cr"].dropna()
    assert day_cr.median() == 158.0
    assert (day_cr.min(), day_cr.max()) == (14.0, 579.0)


# ---------------------------------------------------------------- benchmark script


def test_benchmark_main_returns_figures():
    from benchmarks.bench_criteria import main

    figures = main(n_patients=2_000, n_visits=12)
    assert figures["n_patients"] == 2_000 and figures["n_visits"] == 12
    assert figures["wall_s"] > 0 and figures["patients_per_s"] > 0
    shares = figures["share_NR"] + figures["share_PR"] + figures["share_CR"]
    assert abs(shares - 1.0) < 1e-3  # each share is rounded to 4 decimals


@pytest.mark.slow
def test_million_patients_take_seconds_not_minutes():
    """The issue's scale: 1,000,000 patients x 52 weekly visits (measured 2.8 s on the 2-core
    development machine); 60 s leaves room for a loaded machine."""
    from benchmarks.bench_criteria import main

    figures = main()
    assert figures["wall_s"] < 60.0
