"""Options of the quickstart study (kept apart so the config schema imports nothing heavy)."""

from __future__ import annotations

from dataclasses import dataclass, field

#: The quickstart's steps, in the order they run.
STEPS = ("figures", "calibrate", "simulate")


@dataclass
class QuickstartConfig:
    """Which steps the quickstart runs.

    Attributes
    ----------
    steps : list of str
        Any of ``figures`` (the published figures recomputed from the cohort rows),
        ``calibrate`` (fit the calibration, into ``calibration/``) and ``simulate`` (a single-arm
        trial under the posterior just fitted, or the packaged one without ``calibrate``, into
        ``simulation/``), in that order.
    """

    steps: list[str] = field(default_factory=lambda: list(STEPS))

    def __post_init__(self) -> None:
        bad = [s for s in self.steps if s not in STEPS]
        if bad or not self.steps or len(set(self.steps)) != len(self.steps):
            raise ValueError(f"steps: a non-empty list of distinct steps from {list(STEPS)}; got {list(self.steps)!r}")
