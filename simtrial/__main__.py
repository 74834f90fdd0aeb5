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


if __name__ == "__main__":
    import sys

    _check_experiment(sys.argv[1:])
    main()
