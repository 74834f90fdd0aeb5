"""Options of the quickstart study (kept apart so the config schema imports nothing heavy)."""

from __future__ import annotations

from dataclasses import dataclass, field

from simtrial._core.validation import Options, Predicate, Sequence, Validated, check_value

#: The quickstart's steps, in the order they run.
STEPS = ("figures", "calibrate", "simulate")


@dataclass
class QuickstartConfig(Validated):
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

    _constraints = {
        "steps": Sequence(Options(*STEPS), min_len=1, max_len=len(STEPS)),
    }

    def _check(self) -> None:
        check_value("steps", list(self.steps),
                    Predicate(lambda v: len(set(v)) == len(v), f"must be distinct steps from {list(STEPS)}"))
