"""Exact sample-size search (simtrial.designs.sample_size): saw-tooth, A'Hern, Simon, Jung 2004."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from simtrial.designs import sample_size as ss
from simtrial.designs import simon
from simtrial.designs.fisher import fisher_rejection_table


def _tail(r: int, n: int, p: Fraction) -> Fraction:
    return sum((math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(max(r, 0), n + 1)), Fraction(0))


def _exact_meets(n: int, p0: Fraction, p1: Fraction, alpha: Fraction, power: Fraction) -> bool:
    """A'Hern's criterion in rational arithmetic: some r with size <= alpha and power >= target."""
    r = next(k for k in range(n + 2) if k > n or _tail(k, n, p0) <= alpha)
    return r <= n and _tail(r, n, p1) >= power


def test_issue_case_smallest_and_stable_n():
    """Issue 16: p0 = 0.2 vs p = 0.35, alpha 0.05, power 0.8 gives n = 56; power zig-zags
    (0.806 at 56, 0.749 at 57, 0.778 at 58, 0.804 at 59), so the stable n is 59."""
    res = ss.single_arm_sample_size(0.2, 0.35, 0.05, 0.8, n_range=(10, 80))
    assert (res.n_min, res.n_stable) == (56, 59)
    t = res.table.set_index("n")
    assert [round(t.loc[n, "power"], 3) for n in (56, 57, 58, 59)] == [0.806, 0.749, 0.778, 0.804]
    f = Fraction
    meets = {n: _exact_meets(n, f(1, 5), f(7, 20), f(1, 20), f(4, 5)) for n in range(50, 81)}
    assert [n for n in range(50, 81) if meets[n]] == list(t.index[t["meets"]][t.index[t["meets"]] >= 50])
    assert min(n for n in meets if meets[n]) == 56
    assert all(meets[n] for n in range(59, 81)) and not meets[58]
    assert "smallest n meeting both:             56" in str(res)


@pytest.mark.parametrize(
    "p0,p1,alpha,power",
    [("0.05", "0.2", "0.05", "0.8"), ("0.1", "0.3", "0.05", "0.8"), ("0.2", "0.4", "0.05", "0.8"),
     ("0.2", "0.4", "0.05", "0.9"), ("0.3", "0.5", "0.1", "0.9"), ("0.4", "0.6", "0.05", "0.8")],
)
def test_single_stage_n_is_ahern_definition(p0, p1, alpha, power):
    """A'Hern RP. Sample size tables for exact single-stage phase II designs. Stat Med
    2001;20:859-866: the smallest n with an r such that P(X >= r | p0) <= alpha and
    P(X >= r | p1) >= 1 - beta. Recomputed here in exact rational arithmetic (the printed
    table itself was not available to this test; the definition is what it tabulates)."""
    f = [Fraction(v) for v in (p0, p1, alpha, power)]
    res = ss.single_arm_sample_size(*(float(v) for v in f), n_range=(1, 150))
    expected = next(n for n in range(1, 151) if _exact_meets(n, *f))
    assert res.n_min == expected


def test_single_stage_published_ahern_row():
    """A published A'Hern (2001) single-stage design, quoted with its exact error rates by Khan I,
    Sarker SJ, Hackshaw AK. Smaller sample sizes for phase II trials based on exact tests with
    actual error rates by trading-off their nominal levels of significance and power. Br J Cancer
    2012;107:1801-1809 (abstract): p0 = 10%, p1 = 20%, alpha = 5%, power 80% -> "the A'Hern
    approach yields n = 78 (exact alpha = 4.53%, power = 80.81%)". The same row by the exact
    binomial definition (R: ``n <- 78; r <- 13; 1 - pbinom(r - 1, n, c(0.1, 0.2))`` gives
    0.045286, 0.808179; the paper truncates the power to 80.81%).

    A'Hern's printed table itself was not available; a third-party scrape of it
    (github.com/DanChaltiel, "A'Hern design for a 1-sample test") reports that the strict
    definition reproduces it in > 95% of rows, the rest differing by rounding of alpha and power
    in the table (e.g. p0 = 0.05, p1 = 0.35: 3/11 printed, strict 3/12), so only this
    independently published row is pinned here."""
    res = ss.single_arm_sample_size(0.1, 0.2, 0.05, 0.8, n_range=(1, 150))
    assert res.n_min == 78
    row = res.table.set_index("n").loc[78]
    assert row["r"] == 13
    assert round(row["size"] * 100, 2) == 4.53
    assert math.floor(row["power"] * 1e4) / 100 == 80.81
    assert _exact_meets(78, Fraction(1, 10), Fraction(1, 5), Fraction(1, 20), Fraction(4, 5))
    assert not _exact_meets(77, Fraction(1, 10), Fraction(1, 5), Fraction(1, 20), Fraction(4, 5))


def test_no_n_in_range():
    res = ss.single_arm_sample_size(0.2, 0.35, 0.05, 0.8, n_range=(10, 50))
    assert res.n_min is None and res.n_stable is None
    assert "none in range" in str(res)


def test_simon_endpoints_are_simon_1989():
    """Simon R. Control Clin Trials 1989;10:1-10, Table 1: p0 = 0.2, p1 = 0.4, alpha 0.05,
    beta 0.2: optimal 3/13, 12/43 (EN0 20.6); minimax 4/18, 10/33 (EN0 22.3). p0 = 0.1,
    p1 = 0.3: optimal 1/10, 5/29 (EN0 15.0); minimax 1/15, 5/25 (EN0 19.5)."""
    table = ss.simon_designs(0.2, [0.4], 0.05, 0.8, n_max=60)
    mm = table.iloc[0]
    opt = table.iloc[-1]
    assert (mm.design, mm.r1, mm.n1, mm.r, mm.n, round(mm.en_p0, 1)) == ("minimax", 4, 18, 10, 33, 22.3)
    assert (opt.design, opt.r1, opt.n1, opt.r, opt.n, round(opt.en_p0, 1)) == ("optimal", 3, 13, 12, 43, 20.6)
    adm = ss.admissible_designs(0.1, 0.3, 0.05, 0.8, n_max=60)
    assert (adm[0].design.r1, adm[0].design.n1, adm[0].design.r, adm[0].design.n) == (1, 15, 5, 25)
    assert (adm[-1].design.r1, adm[-1].design.n1, adm[-1].design.r, adm[-1].design.n) == (1, 10, 5, 29)


@pytest.mark.parametrize("case", [(0.1, 0.3, 0.05, 0.8), (0.2, 0.4, 0.05, 0.8), (0.3, 0.5, 0.1, 0.9)])
def test_admissible_designs_minimise_the_weighted_loss(case):
    """Jung SH, Lee T, Kim K, George SL. Admissible two-stage designs for phase II cancer
    clinical trials. Stat Med 2004;23:561-569: for each q in [0, 1] the design minimising
    q n + (1 - q) EN(p0) over *all* feasible designs is admissible. Checked by brute force
    over every feasible (r1, n1, r, n) on a fine q grid and at each reported q range."""
    p0, p1, alpha, power = case
    adm = ss.admissible_designs(p0, p1, alpha, power, n_max=60)
    cand = simon._candidates(p0, p1, alpha, power, 2, 60)
    assert adm[0].q_high == 1.0 and adm[-1].q_low == 0.0
    assert all(a.q_low < a.q_high for a in adm)
    assert all(b.q_high == pytest.approx(a.q_low) for a, b in zip(adm, adm[1:]))
    for q in np.linspace(0, 1, 201):
        brute = np.min(q * cand[:, 3] + (1 - q) * cand[:, 7])
        best = min(q * a.design.n + (1 - q) * a.design.en_p0 for a in adm)
        assert best == pytest.approx(brute, abs=1e-9)
    for a in adm:
        q = 0.5 * (a.q_low + a.q_high)
        brute = np.min(q * cand[:, 3] + (1 - q) * cand[:, 7])
        assert q * a.design.n + (1 - q) * a.design.en_p0 == pytest.approx(brute, abs=1e-9)
    search = simon.simon_search(p0, p1, alpha, power, n_max=60)
    assert (adm[0].design.n1, adm[0].design.n, adm[0].design.r1, adm[0].design.r) == (
        search.minimax.n1, search.minimax.n, search.minimax.r1, search.minimax.r)
    assert (adm[-1].design.n1, adm[-1].design.n) == (search.optimal.n1, search.optimal.n)


def test_simon_designs_per_planning_value():
    table = ss.simon_designs(0.2, [0.35, 0.4, 0.45], 0.05, 0.8, n_max=80)
    assert sorted(set(table["p1"])) == [0.35, 0.4, 0.45]
    for p1, grp in table.groupby("p1"):
        assert grp.iloc[0]["design"] == "minimax" and grp.iloc[-1]["design"] == "optimal"
        assert (grp["power"] >= 0.8).all() and (grp["size"] <= 0.05).all()
        pw = simon.rejection_probability(p1, int(grp.iloc[0].r1), int(grp.iloc[0].n1), int(grp.iloc[0].r), int(grp.iloc[0].n))
        assert float(pw) == pytest.approx(grp.iloc[0]["power"], abs=1e-12)
    # a smaller planning value needs more patients
    n_mm = table[table.design == "minimax"].set_index("p1")["n"]
    assert n_mm[0.35] > n_mm[0.4] > n_mm[0.45]


def test_optimal_near_n_max_warns():
    with pytest.warns(UserWarning, match="raise n_max"):
        ss.admissible_designs(0.2, 0.35, 0.05, 0.8, n_max=74)


def test_simon_best_by_n_is_minimum_en_at_each_n():
    best = ss.simon_best_by_n(0.2, 0.4, 0.05, 0.8, n_max=45)
    cand = simon._candidates(0.2, 0.4, 0.05, 0.8, 2, 45)
    for _, row in best.iterrows():
        at_n = cand[cand[:, 3] == row.n]
        assert row.en_p0 == pytest.approx(at_n[:, 7].min(), abs=1e-12)


def test_two_arm_fisher_search():
    res = ss.two_arm_sample_size(lambda na, nb: fisher_rejection_table(na, nb, 0.05, "greater"),
                                 0.2, 0.5, 0.05, 0.8, n_range=(20, 50))
    t = res.table.set_index("n")
    assert (t["size"] <= 0.05).all()  # a conditional exact test never exceeds alpha
    assert res.n_min is not None and t.loc[res.n_min, "power"] >= 0.8
    assert (t.loc[: res.n_min - 1, "power"] < 0.8).all()
    assert res.n_stable >= res.n_min
    assert t.loc[res.n_stable:, "meets"].all()


def test_pp_search_keeps_every_n_at_or_below_alpha():
    from simtrial.designs.interim import control_size, operating_characteristics

    res = ss.pp_sample_size(0.2, 0.4, 0.05, 0.8, (0.5,), 0.05, 0.8, n_range=(25, 45), adjust="final")
    t = res.table.set_index("n")
    assert (t["size"] <= 0.05).all()
    for n in (25, 35, 45):
        d = control_size(n, (0.5,), 0.2, 0.05, 0.05, 0.8, adjust="final").design
        assert t.loc[n, "power"] == pytest.approx(operating_characteristics(d, 0.4).reject, abs=1e-12)
    assert res.n_min is not None and (t.loc[: res.n_min - 1, "power"] < 0.8).all()


def test_two_arm_bayes_search_uses_maximum_null_size():
    """The Bayesian rule P(p_B > p_A | data) > 0.95 (uniform priors) is not an exact test: its
    size is taken as the maximum over p_A = p_B, checked against a dense independent enumeration."""
    from scipy import stats

    from simtrial.designs.bayes_two_arm import bayes_rejection_table

    res = ss.two_arm_sample_size(lambda na, nb: bayes_rejection_table(na, nb, 0.95), 0.2, 0.5, 0.05, 0.8,
                                 n_range=(20, 24))
    t = res.table.set_index("n")
    table = bayes_rejection_table(22, 22, 0.95).astype(float)
    dense = max(float(stats.binom.pmf(np.arange(23), 22, p) @ table @ stats.binom.pmf(np.arange(23), 22, p))
                for p in np.linspace(0, 1, 2001))
    assert t.loc[22, "size"] == pytest.approx(dense, abs=1e-6)
