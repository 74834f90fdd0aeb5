"""Where simtrial's own files live (config building blocks, named studies)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
#: The building blocks (config groups).
CONF_DIR = REPO_ROOT / "conf"
#: One YAML per named study; seen by Hydra as the ``experiment`` group (conf/experiment links here).
EXPERIMENTS_DIR = REPO_ROOT / "experiments"
