"""Patient outcomes for a chunk of replicates, in one vectorised pass (no event engine).

Two generators:

* **parametric** (no biology): a patient on arm ``a`` responds with probability ``p[a]``; a
  responder's response day is uniform between ``response_day_min`` and the landmark day (so the
  response at the landmark is exactly Bernoulli(``p[a]``)), and the response lasts to the end
  of follow-up.
* **biology** (the *fixed* and *posterior* scenarios): virtual children
  (:mod:`simtrial.models.population`), their drug effects (:mod:`simtrial.models.effect`),
  sirolimus PK with trough-guided dosing (:mod:`simtrial.models.tdm`), MPA exposure
  (:mod:`simtrial.models.mmf_pk`), platelet counts at every visit
  (:mod:`simtrial.models.platelets`) and the IWG 2009 criteria (:mod:`simtrial.criteria`).

Regimens with a second drug switch patient by patient: the first drug's counts are assessed up
to the switch day; children without a confirmed response stop it and start the second drug on
that day, and their counts are recomputed with the added segments **and the same noise**, so
every count before the switch is unchanged.

Every random number comes from the replicate's own streams (:mod:`simtrial.trial.streams`):
the biology from generator streams in blocks of patients, the parametric responses, strata and
dropout from counter-based streams at positions fixed per patient. Patient ``k`` of replicate
``r`` is the same child, with the same biology, whatever the sample size, design or chunk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from simtrial.criteria import assess
from simtrial.models.config import PatientModel
from simtrial.models.effect import PatientEffects, sample_population_effects
from simtrial.models.mmf_pk import mpa_auc
from simtrial.models.parameters import PopulationParameters
from simtrial.models.platelets import simulate_platelets
from simtrial.models.population import Patients, PopulationSpec, sample_population
from simtrial.models.sirolimus_pk import sample_pk
from simtrial.models.tdm import run_tdm
from simtrial.trial.counter import exponential, uniform
from simtrial.trial.streams import BLOCK, STREAMS, Replay, Stacked, counter_keys, streams

__all__ = ["OutcomeModel", "ChunkOutcomes", "STAGE_NONE", "STAGE_SWITCH", "STAGE_STAY", "sample_patients", "sample_strata", "chunk_outcomes", "REGIMEN_DRUGS"]

#: Regimen -> (first drug, second drug after a switch or None).
REGIMEN_DRUGS: dict[str, tuple[str, str | None]] = {
    "sirolimus": ("sirolimus", None),
    "mmf": ("mmf", None),
    "mmf_then_sirolimus": ("mmf", "sirolimus"),
    "sirolimus_then_mmf": ("sirolimus", "mmf"),
}


@dataclass(frozen=True)
class OutcomeModel:
    """Everything that decides a patient's outcome, for one design and scenario.

    Attributes
    ----------
    regimens : tuple of str
        Regimen of each arm (keys of :data:`REGIMEN_DRUGS`).
    landmark_day, switch_day, followup_days : float
        Response landmark, switch day of two-drug regimens, end of follow-up (first year).
    visits : numpy.ndarray
        Visit days after the start of treatment.
    dropout_per_year : float
        Exponential dropout hazard.
    population : PopulationSpec
        Virtual children (also the disease-group strata of randomisation).
    p_response : tuple of float or None
        Parametric mode: true response probability per arm; None: biology.
    response_day_min : float
        Parametric mode: earliest response day.
    parameters : callable or None
        Biology: replicate index -> :class:`PopulationParameters` (a single set).
    draw_index : callable or None
        Biology: replicate index -> a key of its parameter set (replicates sharing a key share
        parameters; used to batch the effect draws).
    patient : PatientModel
        Sirolimus PK, TDM, MMF exposure, exposure-response and noise (the ``model`` group);
        its ``population`` is superseded by ``population`` above.
    rerandomise : bool
        SMART: children without a confirmed response by the switch day are randomised 1:1
        between switching to the second drug and staying on the first (number ``k`` of the
        replicate's ``rerandomisation`` stream for child ``k``).
    """

    regimens: tuple
    landmark_day: float
    switch_day: float
    followup_days: float
    visits: np.ndarray
    dropout_per_year: float = 0.0
    population: PopulationSpec = field(default_factory=PopulationSpec)
    p_response: tuple | None = None
    response_day_min: float = 7.0
    parameters: Callable[[int], PopulationParameters] | None = None
    draw_index: Callable[[int], int] | None = None
    patient: PatientModel = field(default_factory=PatientModel)
    rerandomise: bool = False

    @property
    def parametric(self) -> bool:
        return self.p_response is not None


@dataclass
class ChunkOutcomes:
    """Per-patient outcomes of a chunk, arrays of shape (n_replicates, n_patients).

    Attributes
    ----------
    responded : bool
        Confirmed response (CR or R) by the landmark, or by dropout if earlier.
    assess_day : float
        Days from the start of treatment to the assessment (landmark, or dropout if earlier).
    day_response : float
        Day of the first confirmed response in the first year (NaN: none).
    share_in_response : float
        Share of the observed first year spent in response (NaN with < 2 observed visits).
    exposed_both : bool
        Switched to the second drug of the regimen.
    second_stage : int
        :data:`STAGE_NONE` (responded by the switch day, dropped out, or a one-drug regimen),
        :data:`STAGE_SWITCH` (switched) or :data:`STAGE_STAY` (a non-responder re-randomised to
        stay on the first drug, SMART only).
    """

    responded: np.ndarray
    assess_day: np.ndarray
    day_response: np.ndarray
    share_in_response: np.ndarray
    exposed_both: np.ndarray
    second_stage: np.ndarray | None = None


#: Second-stage codes of :attr:`ChunkOutcomes.second_stage`.
STAGE_NONE, STAGE_SWITCH, STAGE_STAY = 0, 1, 2


def _stay(model: OutcomeModel, root, reps, n: int) -> np.ndarray:
    """SMART re-randomisation: child ``k`` stays on its first drug when number ``k`` of the
    replicate's ``rerandomisation`` stream is below 1/2 (all False without re-randomisation)."""
    if not model.rerandomise:
        return np.zeros(len(reps) * n, dtype=bool)
    return (uniform(_counter(root, reps, "rerandomisation"), np.arange(n)) < 0.5).ravel()


def _cut(a: np.ndarray, n_reps: int, n: int, axis: int = 0) -> np.ndarray:
    """From a patient axis of ``n_reps`` padded blocks, keep the first ``n`` of each replicate."""
    a = np.moveaxis(a, axis, 0)
    a = a.reshape((n_reps, -1) + a.shape[1:])[:, :n]
    return np.moveaxis(a.reshape((n_reps * n,) + a.shape[2:]), 0, axis)


def _stacked(root, reps, name: str, n: int) -> Stacked:
    nb = -(-n // BLOCK)
    keys = np.stack(np.broadcast_arrays(np.asarray(reps)[:, None], STREAMS[name], np.arange(nb)[None, :]), axis=-1)
    return Stacked(streams(root, keys.reshape(-1, 3)))


def sample_patients(model: OutcomeModel, root: np.random.SeedSequence, reps, n: int) -> Patients:
    """The first ``n`` children of each replicate in ``reps`` (flat, replicate-major)."""
    reps = list(reps)
    s = _stacked(root, reps, "population", n)
    return sample_population(model.population, s._total, s).take(_cut(np.arange(s._total), len(reps), n))


def _counter(root, reps, name: str) -> np.ndarray:
    """Keys of the counter-based stream ``name`` of each replicate, shape (len(reps), 1)."""
    reps = np.asarray(reps, dtype=np.int64)
    return counter_keys(root, np.column_stack([reps, np.full(reps.size, STREAMS[name])]))[:, None]


def sample_strata(model: OutcomeModel, root: np.random.SeedSequence, reps, n: int) -> np.ndarray:
    """Disease groups (randomisation strata) of the first ``n`` children of each replicate, flat.

    The parametric scenarios need no children, only their strata: child ``k`` of replicate ``r``
    takes number ``k`` of the replicate's ``strata`` stream and falls in the group whose share of
    ``population.group_weights`` contains it (inverse CDF), whatever ``n``.
    """
    p = np.asarray(model.population.group_weights, dtype=float)
    cdf = (p / p.sum()).cumsum()
    cdf[-1] = 1.0
    u = uniform(_counter(root, reps, "strata"), np.arange(n))
    return cdf.searchsorted(u, side="right").astype(np.intp).ravel()


def _dropout_days(model: OutcomeModel, root, reps, n: int) -> np.ndarray:
    """Days to dropout of child ``k``: number ``k`` of the replicate's ``dropout`` stream."""
    if model.dropout_per_year <= 0:
        return np.full(len(reps) * n, np.inf)
    return (exponential(_counter(root, reps, "dropout"), np.arange(n)) * (365.25 / model.dropout_per_year)).ravel()


def _parametric(model: OutcomeModel, root, reps, n: int, arm: np.ndarray, dropout: np.ndarray) -> ChunkOutcomes:
    # child k: numbers 2k (response) and 2k + 1 (response day) of the ``parametric`` stream
    u = uniform(_counter(root, reps, "parametric")[:, :, None], np.arange(2 * n).reshape(n, 2)).reshape(-1, 2)
    p = np.asarray(model.p_response, dtype=float)[arm]
    lo, hi = model.response_day_min, model.landmark_day
    day = lo + u[:, 1] * (hi - lo)
    ever = u[:, 0] < p
    seen = ever & (day < dropout)
    follow = np.minimum(model.followup_days, dropout)
    share = np.where(seen, np.maximum(follow - day, 0.0) / follow, 0.0)
    switching = np.array([REGIMEN_DRUGS[g][1] is not None for g in model.regimens])[arm]
    eligible = switching & ~(seen & (day <= model.switch_day)) & (dropout > model.switch_day)
    stay = eligible & _stay(model, root, reps, n)
    switched = eligible & ~stay
    return ChunkOutcomes(
        responded=seen,
        assess_day=np.minimum(model.landmark_day, dropout),
        day_response=np.where(seen, day, np.nan),
        share_in_response=share,
        exposed_both=switched,
        second_stage=np.where(switched, STAGE_SWITCH, np.where(stay, STAGE_STAY, STAGE_NONE)),
    )


class _Biology:
    """The pre-drawn normals of a chunk and the patient-model calls that consume them."""

    def __init__(self, model: OutcomeModel, root, reps, n: int, patients: Patients):
        self.m = model
        self.patients = patients
        self.n_tdm = model.patient.tdm.schedule(model.followup_days).size
        self.grid = model.visits.size + 1
        s = _stacked(root, reps, "biology", n)
        t, k = s._total, len(reps)
        # One fixed order per block: effects, PK, MPA, TDM, platelet noise.
        self.z_eff = _cut(s.standard_normal((t, 4)), k, n)
        self.z_pk = _cut(s.standard_normal((2, t)), k, n, axis=1)
        self.z_mmf = _cut(s.standard_normal((t,)), k, n)
        self.z_tdm = _cut(s.standard_normal((t, self.n_tdm)), k, n)
        self.z_plt = _cut(s.standard_normal((2, t, self.grid)), k, n, axis=1)
        self.effects = self._effects(reps, n)

    def _effects(self, reps, n: int) -> dict:
        """Both drugs' effects of every child from the joint latent (one parameter set per key)."""
        m, g, f = self.m, self.patients.group, self.patients.mmf_failed
        p0 = self.patients.baseline_platelets
        out = {d: (np.empty(g.size), np.empty(g.size)) for d in ("sirolimus", "mmf")}
        keys = np.repeat([m.draw_index(r) for r in reps], n)
        first = {}
        for i, r in enumerate(reps):
            first.setdefault(m.draw_index(r), r)
        for key, r in first.items():
            rows = np.flatnonzero(keys == key)
            e = sample_population_effects(m.parameters(r), g[rows], f[rows], z=self.z_eff[rows], p0=p0[rows])
            for drug in ("sirolimus", "mmf"):
                out[drug][0][rows], out[drug][1][rows] = e[drug].d_ss, e[drug].ke0
        return out

    def _sirolimus(self, rows, start: float, stop):
        sub = self.patients.take(rows)
        pk = sample_pk(sub, self.m.patient.sirolimus_pk, Replay([self.z_pk[:, rows]]))
        h = self.m.followup_days - start
        n_here = self.m.patient.tdm.schedule(h).size
        z = self.z_tdm[rows]
        hist = run_tdm(pk, self.m.patient.tdm, h, Replay([z[:, j] for j in range(n_here)]),
                       stop_day=None if stop is None else stop - start)
        return hist.change_days + start, hist.trough

    def _mmf(self, rows, start: float, stop):
        auc = mpa_auc(self.patients.take(rows), self.m.patient.mmf_pk, Replay([self.z_mmf[rows]]))
        n = rows.size
        change = np.column_stack([np.full(n, start), np.full(n, np.inf if stop is None else stop)])
        return change, np.column_stack([auc, np.zeros(n)])

    def counts(self, rows, first: str, second: str | None = None, switch: float | None = None):
        """Counts at the visits and the measured baseline for ``rows``."""
        segs = {first: getattr(self, f"_{first}")(rows, 0.0, switch if second else None)}
        if second:
            segs[second] = getattr(self, f"_{second}")(rows, switch, None)
        eff = {d: PatientEffects(self.effects[d][0][rows], self.effects[d][1][rows]) for d in segs}
        res = simulate_platelets(
            self.m.visits, eff, self.patients.baseline_platelets[rows],
            segs.get("sirolimus"), segs.get("mmf"),
            rng=Replay([self.z_plt[:, rows, :]]), noise=self.m.patient.noise,
            sirolimus_er=self.m.patient.sirolimus_response, mmf_er=self.m.patient.mmf_response,
        )
        return res.counts, res.baseline


def _masked(counts: np.ndarray, visits: np.ndarray, until: np.ndarray) -> np.ndarray:
    return np.where(visits[None, :] <= until[:, None], counts, np.nan)


def _biology(model: OutcomeModel, root, reps, n: int, arm: np.ndarray, dropout: np.ndarray,
             patients: Patients) -> ChunkOutcomes:
    bio = _Biology(model, root, reps, n, patients)
    total = arm.size
    counts = np.empty((total, model.visits.size))
    baseline = np.empty(total)
    switched = np.zeros(total, dtype=bool)
    stayed = np.zeros(total, dtype=bool)
    stay_draw = _stay(model, root, reps, n)
    for a, regimen in enumerate(model.regimens):
        rows = np.flatnonzero(arm == a)
        if rows.size == 0:
            continue
        first, second = REGIMEN_DRUGS[regimen]
        c, b = bio.counts(rows, first)
        counts[rows], baseline[rows] = c, b
        if second is None:
            continue
        until = np.minimum(model.switch_day, dropout[rows])
        early = assess(model.visits, _masked(c, model.visits, until), b)
        sw = np.isnan(early.day_response) & (dropout[rows] > model.switch_day)
        stayed[rows] = sw & stay_draw[rows]
        sw &= ~stay_draw[rows]
        if sw.any():
            rs = rows[sw]
            counts[rs], _ = bio.counts(rs, first, second, model.switch_day)
            switched[rs] = True
    landmark = np.minimum(model.landmark_day, dropout)
    both = np.concatenate([_masked(counts, model.visits, landmark), _masked(counts, model.visits, dropout)])
    res = assess(model.visits, both, np.concatenate([baseline, baseline]))
    return ChunkOutcomes(
        responded=~np.isnan(res.day_response[:total]),
        assess_day=landmark,
        day_response=res.day_response[total:],
        share_in_response=res.time_in_response[total:],
        exposed_both=switched,
        second_stage=np.where(switched, STAGE_SWITCH, np.where(stayed, STAGE_STAY, STAGE_NONE)),
    )


def chunk_outcomes(model: OutcomeModel, root: np.random.SeedSequence, reps, n: int, arm: np.ndarray,
                   patients: Patients | None = None) -> ChunkOutcomes:
    """Outcomes of the first ``n`` patients of each replicate in ``reps``.

    Parameters
    ----------
    model : OutcomeModel
    root : numpy.random.SeedSequence
        The run's root seed.
    reps : sequence of int
        Replicate indices.
    n : int
        Patients per replicate.
    arm : numpy.ndarray of int, shape (len(reps) * n,)
        Arm of each patient (replicate-major).
    patients : Patients, optional
        The children (:func:`sample_patients`); drawn when not given (biology only).

    Returns
    -------
    ChunkOutcomes
        Arrays of shape (len(reps), n).
    """
    reps = list(reps)
    arm = np.asarray(arm, dtype=np.intp).ravel()
    dropout = _dropout_days(model, root, reps, n)
    if model.parametric:
        out = _parametric(model, root, reps, n, arm, dropout)
    else:
        if patients is None:
            patients = sample_patients(model, root, reps, n)
        out = _biology(model, root, reps, n, arm, dropout, patients)
    for name in ("responded", "assess_day", "day_response", "share_in_response", "exposed_both", "second_stage"):
        setattr(out, name, getattr(out, name).reshape(len(reps), n))
    return out
