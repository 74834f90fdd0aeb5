"""Where simtrial's own files live (config building blocks, named studies).

The config tree is part of the package (``simtrial/conf/``), so an installed wheel runs from any
directory. A checkout shows it at the top level too: ``conf/`` and ``experiments/`` are links to
``simtrial/conf/`` and ``simtrial/conf/experiment/``.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: The building blocks (config groups) and the root ``config.yaml``.
CONF_DIR = PACKAGE_DIR / "conf"
#: One YAML per named study: the ``experiment`` config group.
EXPERIMENTS_DIR = CONF_DIR / "experiment"
