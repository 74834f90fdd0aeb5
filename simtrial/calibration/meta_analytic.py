"""The meta-analytic-predictive (MAP) prior of a response rate from historical binomial studies.

The binomial-normal hierarchical model of RBesT's ``gMAP`` (Neuenschwander et al., Clin Trials
2010;7:5-18) with its default priors for a binary endpoint::

    r_j ~ Binomial(n_j, expit(theta_j)),  theta_j = mu + tau * eta_j,  eta_j ~ Normal(0, 1)
    mu ~ Normal(mu_mean, mu_sd)            (RBesT: beta.prior = 2, location 0)
    tau ~ HalfNormal(tau_scale)            (RBesT: tau.dist = "HalfNormal", tau.prior = 1)

The MAP prior is the predictive distribution of a new study's rate
``expit(mu + tau * eta_new)``. Two engines give it:

- :func:`fit_map` samples the model with PyMC (nutpie or PyMC's NUTS; PyMC is imported only
  there, lazily) and returns predictive draws, as ``gMAP`` does with Stan;
- :func:`map_quadrature` integrates the two-parameter posterior on a grid (Gauss-Hermite over
  each study's random effect), which is exact to numerical precision, deterministic and fast.

Either result goes to :func:`simtrial.borrowing.fit.automixfit` for the beta-mixture
approximation.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from simtrial._core.validation import Interval, Options, ValidationError, check_value
from simtrial.borrowing.historical import HistoricalStudy

__all__ = ["HistoricalStudy", "MAPPriorSpec", "MAPDraws", "MAPQuadrature", "fit_map", "map_quadrature",
           "studies_frame"]


def studies_frame(studies: Sequence[HistoricalStudy]) -> pd.DataFrame:
    return pd.DataFrame({"study": [s.name for s in studies], "n": [s.n for s in studies],
                         "r": [s.r for s in studies]})


@dataclass(frozen=True)
class MAPPriorSpec:
    """Priors of the meta-analysis (RBesT gMAP's defaults for a binary endpoint).

    Attributes
    ----------
    tau_scale : float
        Scale of the half-normal prior of the between-study sd ``tau`` (logit scale; RBesT's
        recommended default 1 for response rates of 20-80%).
    mu_mean, mu_sd : float
        Normal prior of the population mean logit (RBesT: location 0, ``beta.prior = 2``).
    """

    tau_scale: float = 1.0
    mu_mean: float = 0.0
    mu_sd: float = 2.0

    _constraints = {"tau_scale": Interval(float, 0.0, 100.0, closed="right"),
                    "mu_mean": Interval(float, -20.0, 20.0),
                    "mu_sd": Interval(float, 0.0, 100.0, closed="right")}

    def __post_init__(self):
        for name, c in self._constraints.items():
            object.__setattr__(self, name, check_value(name, getattr(self, name), c))


def _check_studies(studies) -> list[HistoricalStudy]:
    studies = list(studies)
    if not studies:
        raise ValidationError("historical", "must name at least one historical study")
    return studies


@dataclass
class MAPDraws:
    """MCMC draws of the meta-analysis.

    Attributes
    ----------
    predictive : numpy.ndarray
        Draws of a new study's response rate (the MAP prior).
    mu, tau : numpy.ndarray
        Draws of the population mean logit and between-study sd.
    studies : list of HistoricalStudy
    diagnostics : dict
        ``max_rhat``, ``min_ess_bulk``, ``divergences``, ``draws``, ``chains``, ``seconds``.
    """

    predictive: np.ndarray
    mu: np.ndarray
    tau: np.ndarray
    studies: list
    spec: MAPPriorSpec
    diagnostics: dict = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """Mean, sd and 2.5/50/97.5% of tau and the MAP predictive (as ``print(gMAP)``)."""
        rows = {}
        for name, x in (("tau", self.tau), ("map", self.predictive)):
            q = np.quantile(x, [0.025, 0.5, 0.975])
            rows[name] = {"mean": x.mean(), "sd": x.std(ddof=1), "2.5%": q[0], "50%": q[1], "97.5%": q[2]}
        return pd.DataFrame(rows).T


def _int_seed(seq: np.random.SeedSequence) -> int:
    return int(seq.generate_state(1, dtype=np.uint32)[0])


def fit_map(studies: Sequence[HistoricalStudy], spec: MAPPriorSpec = MAPPriorSpec(), *,
            seed: np.random.SeedSequence, draws: int = 2000, tune: int = 1000, chains: int = 2,
            sampler: str = "nutpie", target_accept: float = 0.95) -> MAPDraws:
    """Sample the binomial-normal meta-analysis with PyMC and draw the MAP predictive.

    Parameters
    ----------
    studies : sequence of HistoricalStudy
    spec : MAPPriorSpec
    seed : numpy.random.SeedSequence
        Spawns the sampler's seed and the predictive draws' generator.
    draws, tune, chains : int
        Per chain.
    sampler : {"nutpie", "pymc"}
    target_accept : float
        High by default: with few studies the posterior of tau has a funnel near 0.
    """
    studies = _check_studies(studies)
    draws = check_value("draws", draws, Interval(int, 100, 1_000_000))
    tune = check_value("tune", tune, Interval(int, 100, 1_000_000))
    chains = check_value("chains", chains, Interval(int, 1, 16))
    sampler = check_value("sampler", sampler, Options("nutpie", "pymc"))
    target_accept = check_value("target_accept", target_accept, Interval(float, 0.5, 1.0, closed="left"))
    import pymc as pm  # the only PyMC import of the borrowing workflow

    n = np.array([s.n for s in studies])
    r = np.array([s.r for s in studies])
    s_sample, s_pred = seed.spawn(2)
    with pm.Model() as model:
        mu = pm.Normal("mu", spec.mu_mean, spec.mu_sd)
        tau = pm.HalfNormal("tau", spec.tau_scale)
        eta = pm.Normal("eta", 0.0, 1.0, shape=len(studies))
        pm.Binomial("r", n=n, logit_p=mu + tau * eta, observed=r)
    t0 = time.perf_counter()
    if sampler == "nutpie":
        import nutpie

        compiled = nutpie.compile_pymc_model(model)
        t0 = time.perf_counter()  # sampling time, compilation excluded
        tree = nutpie.sample(compiled, draws=draws, tune=tune, chains=chains, cores=min(chains, 2),
                             seed=_int_seed(s_sample), progress_bar=False, target_accept=target_accept)
    else:
        tree = pm.sample(draws=draws, tune=tune, chains=chains, cores=min(chains, 2),
                         random_seed=_int_seed(s_sample), nuts_sampler="pymc", target_accept=target_accept,
                         progressbar=False, compute_convergence_checks=False, model=model, mp_ctx="forkserver")
    seconds = time.perf_counter() - t0
    post = tree["posterior"] if "posterior" in tree else tree.posterior
    mu_d = np.asarray(post["mu"]).reshape(-1)
    tau_d = np.asarray(post["tau"]).reshape(-1)
    rng = np.random.default_rng(s_pred)
    pred = special.expit(mu_d + tau_d * rng.standard_normal(mu_d.size))
    return MAPDraws(pred, mu_d, tau_d, studies, spec, _diagnostics(post, tree, seconds, draws, chains))


def _diagnostics(post, tree, seconds, draws, chains) -> dict:
    import arviz as az

    out = {"draws": int(draws), "chains": int(chains), "seconds": round(seconds, 2)}
    try:
        mu, tau = np.asarray(post["mu"]), np.asarray(post["tau"])
        out["max_rhat"] = float(max(az.rhat(mu), az.rhat(tau))) if chains > 1 else None
        out["min_ess_bulk"] = float(min(az.ess(mu), az.ess(tau)))
    except Exception:  # diagnostics are reported, never fatal
        pass
    try:
        stats_ = tree["sample_stats"] if "sample_stats" in tree else tree.sample_stats
        key = "diverging" if "diverging" in stats_ else None
        out["divergences"] = int(np.asarray(stats_[key]).sum()) if key else None
    except Exception:
        out["divergences"] = None
    return out


# -- deterministic quadrature -------------------------------------------------------------------

@dataclass
class MAPQuadrature:
    """The meta-analysis integrated on a grid of (mu, tau).

    Attributes
    ----------
    mu, tau : numpy.ndarray
        Grid nodes.
    weights : numpy.ndarray
        Posterior probability of each (mu, tau) node (shape ``(len(mu), len(tau))``), including
        the quadrature weights; sums to 1.
    """

    mu: np.ndarray
    tau: np.ndarray
    weights: np.ndarray
    studies: list
    spec: MAPPriorSpec

    def _pairs(self):
        m, t = np.meshgrid(self.mu, self.tau, indexing="ij")
        keep = self.weights > 1e-300
        return m[keep], t[keep], self.weights[keep]

    def predictive_cdf(self, x) -> np.ndarray:
        """P(new study's rate <= x)."""
        m, t, w = self._pairs()
        lx = special.logit(np.clip(np.asarray(x, float), 1e-300, 1 - 1e-16))[..., None]
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(t > 0, (lx - m) / np.where(t > 0, t, 1.0), np.where(lx >= m, np.inf, -np.inf))
        return np.sum(w * stats.norm.cdf(z), axis=-1)

    def predictive_moments(self) -> tuple[float, float]:
        """Mean and sd of the new study's rate."""
        m, t, w = self._pairs()
        z, gw = _gauss_hermite(64)
        p = special.expit(m[:, None] + t[:, None] * z[None, :])
        e1 = np.sum(w * (p @ gw))
        e2 = np.sum(w * ((p**2) @ gw))
        return float(e1), float(math.sqrt(max(e2 - e1**2, 0.0)))

    def predictive_quantile(self, q) -> np.ndarray:
        q = np.atleast_1d(np.asarray(q, float))
        return np.array([optimize.brentq(lambda x: float(self.predictive_cdf(x)) - qi, 1e-12, 1 - 1e-12,
                                         xtol=1e-12) for qi in q])

    def tau_summary(self) -> dict:
        wt = self.weights.sum(axis=0)
        mean = float(np.sum(wt * self.tau))
        sd = float(math.sqrt(np.sum(wt * self.tau**2) - mean**2))
        cdf = np.concatenate([[0.0], np.cumsum((wt[1:] + wt[:-1]) / 2)])  # piecewise-linear density
        qs = np.interp([0.025, 0.5, 0.975], cdf / cdf[-1], self.tau)
        return {"mean": mean, "sd": sd, "2.5%": float(qs[0]), "50%": float(qs[1]), "97.5%": float(qs[2])}

    def draws(self, size: int, rng: np.random.Generator) -> np.ndarray:
        """Draws of the new study's rate (grid cells by weight, jittered within the cell)."""
        flat = self.weights.ravel()
        idx = rng.choice(flat.size, size=size, p=flat / flat.sum())
        i, j = np.unravel_index(idx, self.weights.shape)
        dm = np.gradient(self.mu)[i]
        dt = np.gradient(self.tau)[j]
        m = self.mu[i] + (rng.random(size) - 0.5) * dm
        t = np.abs(self.tau[j] + (rng.random(size) - 0.5) * dt)
        return special.expit(m + t * rng.standard_normal(size))


def _gauss_hermite(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights for E[f(Z)], Z ~ N(0, 1)."""
    x, w = np.polynomial.hermite_e.hermegauss(k)
    return x, w / w.sum()


def _log_post(mu: np.ndarray, tau: np.ndarray, n: np.ndarray, r: np.ndarray, spec: MAPPriorSpec,
              z: np.ndarray, gw: np.ndarray) -> np.ndarray:
    """Unnormalised log posterior of (mu, tau) on the outer product grid.

    Each study's random effect is integrated out by adaptive Gauss-Hermite quadrature: the
    nodes are centred at the mode of ``log L_j(mu + tau z) - z^2/2`` and scaled by its curvature
    (a study with many patients has a likelihood far narrower than the normal when tau is
    large, which fixed nodes would miss).
    """
    m = mu[:, None]
    t = tau[None, :]
    total = stats.norm.logpdf(mu, spec.mu_mean, spec.mu_sd)[:, None] + \
        stats.halfnorm.logpdf(tau, scale=spec.tau_scale)[None, :]
    log_gw = np.log(gw)  # weights of E[f(X)], X ~ N(0, 1)
    for nj, rj in zip(n, r):
        zh = np.zeros(np.broadcast(m, t).shape)
        for _ in range(50):  # Newton for the mode of the concave g(z)
            p = special.expit(m + t * zh)
            g1 = t * (rj - nj * p) - zh
            g2 = -(t**2) * nj * p * (1 - p) - 1.0
            step = np.clip(-g1 / g2, -5.0, 5.0)
            zh = zh + step
            if np.max(np.abs(step)) < 1e-10:
                break
        p = special.expit(m + t * zh)
        s = 1.0 / np.sqrt((t**2) * nj * p * (1 - p) + 1.0)
        zz = zh[..., None] + s[..., None] * z  # nodes
        eta = m[..., None] + t[..., None] * zz
        log_q = -np.logaddexp(0, eta)
        log_p = eta + log_q
        # integral of exp(g(z)) dz / sqrt(2 pi) = s E[exp(g(zh + s X) + X^2 / 2)] / ... with X ~ N(0, 1)
        ll = rj * log_p + (nj - rj) * log_q - zz**2 / 2 + z**2 / 2 + log_gw
        top = ll.max(axis=-1)
        total = total + np.log(s) + top + np.log(np.exp(ll - top[..., None]).sum(axis=-1))
    return total


def map_quadrature(studies: Sequence[HistoricalStudy], spec: MAPPriorSpec = MAPPriorSpec(), *,
                   n_mu: int = 201, n_tau: int = 201, n_hermite: int = 20) -> MAPQuadrature:
    """The meta-analysis by quadrature: adaptive Gauss-Hermite over each study's random effect,
    trapezoid over a (mu, tau) grid placed on the posterior's support found by a coarse pass."""
    studies = _check_studies(studies)
    n = np.array([s.n for s in studies], float)
    r = np.array([s.r for s in studies], float)
    z, gw = _gauss_hermite(n_hermite)
    mu_c = np.linspace(spec.mu_mean - 8 * spec.mu_sd, spec.mu_mean + 8 * spec.mu_sd, 161)
    tau_c = np.linspace(0.0, 6 * spec.tau_scale, 81)
    lp = _log_post(mu_c, tau_c, n, r, spec, z, gw)
    keep = lp > lp.max() - 20  # relative density 2e-9
    mi = np.flatnonzero(keep.any(axis=1))
    ti = np.flatnonzero(keep.any(axis=0))
    mu_lo, mu_hi = mu_c[max(mi[0] - 1, 0)], mu_c[min(mi[-1] + 1, mu_c.size - 1)]
    tau_hi = tau_c[min(ti[-1] + 1, tau_c.size - 1)]
    mu = np.linspace(mu_lo, mu_hi, n_mu)
    tau = np.linspace(0.0, tau_hi, n_tau)
    lp = _log_post(mu, tau, n, r, spec, z, gw)
    w = np.exp(lp - lp.max()) * _trapezoid(mu)[:, None] * _trapezoid(tau)[None, :]
    return MAPQuadrature(mu, tau, w / w.sum(), studies, spec)


def _trapezoid(x: np.ndarray) -> np.ndarray:
    w = np.full(x.size, x[1] - x[0])
    w[[0, -1]] /= 2
    return w
