"""What a study's ``run`` function receives: where to write, its randomness, logging, progress."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from simtrial import atomic


@dataclass
class RunContext:
    """The run directory and services a study uses.

    Parameters
    ----------
    run_dir : Path
        The run directory (``results/<experiment>/<timestamp>/`` or a sweep job's directory).
    seed : numpy.random.SeedSequence
        The root of all randomness of this run, built from the config's ``seed``. Spawn children
        from it (``seed.spawn(n)``) per component and per replicate; never seed a generator from
        the clock.
    log : logging.Logger
    progress_enabled : bool
        Whether progress bars are drawn (a terminal, not a multirun job).
    """

    run_dir: Path
    seed: np.random.SeedSequence
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("simtrial"))
    progress_enabled: bool = False

    def path(self, name: str) -> Path:
        """Path of an artefact inside the run directory (parents created)."""
        p = self.run_dir / name
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def write_json(self, name: str, obj: Any) -> Path:
        return atomic.write_json(self.path(name), obj)

    def write_text(self, name: str, text: str) -> Path:
        return atomic.write_text(self.path(name), text)

    def savefig(self, fig, name: str, **kwargs) -> Path:
        """Save a matplotlib figure atomically as ``name`` (PNG at 120 dpi by default) and close it."""
        import matplotlib.pyplot as plt

        kwargs.setdefault("dpi", 120)
        kwargs.setdefault("bbox_inches", "tight")
        target = self.path(name)
        with atomic.atomic_path(target) as tmp:
            fig.savefig(tmp, format=target.suffix.lstrip(".") or "png", **kwargs)
        plt.close(fig)
        return target

    def progress(self, iterable: Iterable, total: int | None = None, desc: str = "",
                 advance: Callable[[Any], int] | None = None) -> Iterator:
        """Iterate with a progress bar (rich) on stderr when enabled.

        ``advance(item)`` gives how many units (replicates, not chunks) an item completes; by
        default one per item. ``total`` is the number of units.
        """
        if not self.progress_enabled:
            yield from iterable
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        total = total if total is not None else (len(iterable) if hasattr(iterable, "__len__") else None)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
            task = bar.add_task(desc, total=total)
            for item in iterable:
                yield item
                bar.advance(task, 1 if advance is None else advance(item))
