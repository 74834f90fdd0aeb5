"""Memory and time a run will need, estimated before any work, and the limits they must meet.

The estimates are deliberately simple upper-bound models of the dominant arrays and loops,
with constants measured on a 2-core machine (see each function); they exist to refuse runs that
would end in ``MemoryError`` or run for days, not to predict wall times precisely.

Limits: memory defaults to 80% of the machine's physical memory, time to 72 hours per run (a
sweep: per job). Raise them for a deliberately large run with the environment variables
``SIMTRIAL_MAX_MEMORY_GB`` and ``SIMTRIAL_MAX_HOURS`` (docs/sweeps.md).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

#: Environment variables raising the limits.
MEMORY_VAR = "SIMTRIAL_MAX_MEMORY_GB"
HOURS_VAR = "SIMTRIAL_MAX_HOURS"
DEFAULT_HOURS = 72.0
#: Share of physical memory a run may use by default.
MEMORY_SHARE = 0.8

#: Interpreter, numpy/scipy/xarray and plotting: resident before any simulation.
BASE_BYTES = 0.5e9
#: Bytes kept per replicate (decision, counts, duration) and per patient of a replicate.
RESULT_BYTES_PER_REPLICATE = 64.0
RESULT_BYTES_PER_PATIENT = 8.0
#: float64 arrays of (chunk x patients x visits) alive at once while a chunk is simulated.
CHUNK_ARRAYS = 6
#: Per-site arrays (opening days, next opening, counts).
SITE_ARRAYS = 8
#: Seconds per patient-visit of one replicate: the vectorised calendar and the discrete-event
#: (simpy) calendar with the patient models. Measured: single_arm n=35, 4,000 replicates,
#: 2.5 s (vectorised); scenario=fixed, 200 replicates, 4.4 s (simpy), at 18 visits + baseline.
SECONDS_PER_PATIENT_VISIT = {"vectorised": 2e-6, "simpy": 4e-5}
#: Simon's exhaustive search: about 4.5 s at n_max = 100, growing like n_max ** 3.5 (measured
#: 1.2 s, 4.5 s and 13.7 s at n_max = 60, 100, 140).
SIMON_SECONDS_AT_100 = 4.5
SIMON_EXPONENT = 3.5
#: ... and its table of feasible designs: about 60 MB at n_max = 100, 1.3 GB at 200 (measured
#: peak resident memory above the interpreter's), growing like n_max ** 4.5.
SIMON_BYTES_AT_100 = 6e7
SIMON_MEMORY_EXPONENT = 4.5


@dataclass(frozen=True)
class Estimate:
    """What a run needs: bytes of memory and seconds, each split into named terms."""

    memory: dict[str, float] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def memory_bytes(self) -> float:
        return BASE_BYTES + sum(self.memory.values())

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def visit_count(weekly_until: float, biweekly_until: float, monthly_every: float, followup_days: float) -> float:
    """Number of visits of :func:`simtrial.trial.visits.visit_days`, without building the array."""
    weekly = max(math.floor(weekly_until / 7.0), 0)
    start = 7.0 * weekly
    biweekly = max(math.floor((biweekly_until - start) / 14.0), 0)
    start += 14.0 * biweekly
    monthly = max(math.floor((followup_days - start) / monthly_every), 0) if monthly_every > 0 else math.inf
    return float(weekly + biweekly + monthly)


def trial_estimate(replicates: int, patients: int, visits: float, sites: int, chunk: int | None,
                   calendar: str) -> Estimate:
    """Memory and time of simulating ``replicates`` trials of at most ``patients`` children.

    Parameters
    ----------
    calendar : str
        ``"vectorised"`` or ``"simpy"`` (which sets the time per patient-visit).
    """
    chunk = min(replicates, chunk or 2000)
    per_patient = visits + 8.0  # the visits plus baseline, enrolment and outcome fields
    memory = {
        "simulation.replicates": replicates * (RESULT_BYTES_PER_REPLICATE + RESULT_BYTES_PER_PATIENT * patients),
        "simulation.followup_days": CHUNK_ARRAYS * 8.0 * chunk * patients * per_patient,
        "simulation.n_sites": SITE_ARRAYS * 8.0 * sites * (chunk if calendar == "vectorised" else 1),
    }
    seconds = {"simulation.replicates": SECONDS_PER_PATIENT_VISIT[calendar] * replicates * patients * per_patient
               + 1e-6 * replicates * sites}
    return Estimate(memory, seconds)


def simon_estimate(n_max: int) -> Estimate:
    """Time of Simon's exhaustive search up to ``n_max``."""
    scale = n_max / 100.0
    return Estimate({"design.n_max": SIMON_BYTES_AT_100 * scale ** SIMON_MEMORY_EXPONENT},
                    {"design.n_max": SIMON_SECONDS_AT_100 * scale ** SIMON_EXPONENT})


def combine(*estimates: Estimate) -> Estimate:
    memory: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for e in estimates:
        for k, v in e.memory.items():
            memory[k] = memory.get(k, 0.0) + v
        for k, v in e.seconds.items():
            seconds[k] = seconds.get(k, 0.0) + v
    return Estimate(memory, seconds)


def memory_limit() -> tuple[float, str]:
    """(bytes, how it was set)."""
    raw = os.environ.get(MEMORY_VAR)
    if raw:
        try:
            return float(raw) * 1e9, f"{MEMORY_VAR}={raw}"
        except ValueError:
            pass
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        total = 8e9
    return MEMORY_SHARE * total, f"{MEMORY_SHARE:.0%} of this machine's memory; raise with {MEMORY_VAR}"


def time_limit() -> tuple[float, str]:
    """(seconds, how it was set)."""
    raw = os.environ.get(HOURS_VAR)
    if raw:
        try:
            return float(raw) * 3600.0, f"{HOURS_VAR}={raw}"
        except ValueError:
            pass
    return DEFAULT_HOURS * 3600.0, f"the default; raise with {HOURS_VAR}"


def _bytes(n: float) -> str:
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n / 1e3:.3g} kB"


def _duration(s: float) -> str:
    for unit, size in (("years", 3.156e7), ("days", 86400.0), ("hours", 3600.0), ("minutes", 60.0)):
        if s >= size:
            return f"{s / size:.3g} {unit}"
    return f"{s:.3g} s"


def check_resources(estimate: Estimate) -> str | None:
    """One line naming the field that makes the run too large, with the estimate and the limit
    (memory or time, whichever is exceeded by the larger factor); None if within both."""
    memory, memory_how = memory_limit()
    seconds, seconds_how = time_limit()
    over_memory = estimate.memory_bytes / memory
    over_time = estimate.total_seconds / seconds
    if max(over_memory, over_time) <= 1.0:
        return None
    if over_memory >= over_time:
        field_name = max(estimate.memory, key=estimate.memory.get)
        return (f"{field_name}: the run would need about {_bytes(estimate.memory_bytes)} of memory, more than the "
                f"limit of {_bytes(memory)} ({memory_how})")
    field_name = max(estimate.seconds, key=estimate.seconds.get)
    return (f"{field_name}: the run would take about {_duration(estimate.total_seconds)}, more than the limit "
            f"of {_duration(seconds)} ({seconds_how})")


def estimate_config(config) -> Estimate:
    """The estimate for a validated config: its trial simulation and any design search.

    Read from the fields the trial study uses (``simulation``, ``design``); a config without
    them needs nothing beyond the base.
    """
    from simtrial.designs.config import SimonDesignConfig

    parts = []
    design = getattr(config, "design", None)
    sim = getattr(config, "simulation", None)
    if isinstance(design, SimonDesignConfig):
        parts.append(simon_estimate(int(design.n_max)))
    if sim is not None and design is not None:
        patients = _patients(design)
        visits = visit_count(sim.weekly_until, sim.biweekly_until, sim.monthly_every, sim.followup_days)
        scenario = getattr(getattr(config, "scenario", None), "name", "")
        calendar = sim.calendar if sim.calendar in SECONDS_PER_PATIENT_VISIT else (
            "simpy" if scenario in ("fixed", "posterior") else "vectorised")
        parts.append(trial_estimate(int(sim.replicates), patients, visits, int(sim.n_sites), sim.chunk_size, calendar))
    return combine(*parts) if parts else Estimate()


def _patients(design) -> int:
    """Most children one simulated trial can enrol."""
    for name, factor in (("n", 1), ("n_total", 1), ("n_per_arm", 2), ("n_max", 1)):
        value = getattr(design, name, None)
        if isinstance(value, int) and not isinstance(value, bool):
            return value * factor
    return 1
