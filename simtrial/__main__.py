"""``python -m simtrial experiment=NAME [overrides]``; ``-m`` for sweeps; ``--help`` for the groups.

Before Hydra creates any directory, :func:`simtrial.preflight.main_argv` composes and validates
the config (every job of a sweep) and claims a new run directory; nothing is created for a bad
command line.
"""

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


def cli(argv: list[str] | None = None) -> int:
    """The command line: preflight checks, then Hydra; the exit status."""
    import sys

    from simtrial import preflight

    from simtrial.config.commandline import expand_flags
    from simtrial.config.help import main_help

    argv = expand_flags(list(sys.argv[1:] if argv is None else argv))  # -v: third-party logs back
    main_help(argv)  # simtrial's own --help (Hydra's takes seconds)
    _check_experiment(argv)
    sys.argv[1:] = preflight.main_argv(argv)
    try:
        main()
    except KeyboardInterrupt:
        # Ctrl-C outside a run's study (Hydra's set-up, a sweep's launcher or aggregation); a run
        # interrupted inside its study has recorded status failed and exited 130 already.
        sys.stderr.write("simtrial: error: interrupted\n")
        return 130
    from simtrial.callbacks import SWEEP_STATUS

    return SWEEP_STATUS.get("exit", 0)


if __name__ == "__main__":
    raise SystemExit(cli())
