"""``python -m simtrial experiment=NAME [overrides]``; ``-m`` for sweeps; ``--help`` for the groups."""

from __future__ import annotations


import hydra
from omegaconf import DictConfig

from simtrial.config.store import store_schemas
from simtrial.paths import CONF_DIR

store_schemas()


def _check_experiment(argv: list[str]) -> None:
    """Fail early, with the list of studies, for ``experiment=`` naming no file in experiments/."""
    from simtrial.app import fail
    from simtrial.studies import available_experiments

    known = available_experiments()
    for arg in argv:
        if arg.startswith("experiment="):
            for name in arg.split("=", 1)[1].split(","):
                if name and name not in known:
                    fail(f"experiment: unknown study {name!r}; available studies: {', '.join(known)}")


@hydra.main(config_path=str(CONF_DIR), config_name="config", version_base="1.3")
def main(cfg: DictConfig):
    from simtrial.app import run

    return run(cfg)


def _check_results_writable(argv: list[str]) -> None:
    """Fail early, naming ``paths.results``, when the results directory cannot be written."""
    import os
    import tempfile
    from pathlib import Path

    from simtrial.app import fail

    if any(a in ("--help", "-h", "--hydra-help") or a.startswith(("--cfg", "-c", "--info")) for a in argv):
        return
    root = os.environ.get("SIMTRIAL_RESULTS", "results")
    for arg in argv:
        if arg.startswith("paths.results="):
            root = arg.split("=", 1)[1]
    path = Path(root)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        fail(f"paths.results: cannot write to the results directory {path} ({exc.strerror}); "
             "set paths.results=DIR or SIMTRIAL_RESULTS to a writable directory")


if __name__ == "__main__":
    import sys

    from simtrial.config.commandline import expand_flags, main_check

    sys.argv[1:] = expand_flags(sys.argv[1:])
    from simtrial.config.help import main_help

    main_help(sys.argv[1:])
    _check_experiment(sys.argv[1:])

    main_check(sys.argv[1:])  # every run's config composed and validated before any directory exists
    _check_results_writable(sys.argv[1:])
    main()
