"""``python -m simtrial --help``: the config groups, the named studies and the default config.

Hydra's own help lists every group by building a config repository per group (a deep copy of
all stored schemas each time: seconds); this renders the same template from the config tree
on disk and one composition.
"""

from __future__ import annotations

from omegaconf import OmegaConf

from simtrial.paths import CONF_DIR


def _groups() -> dict[str, list[str]]:
    groups = {}
    for folder in sorted(p for p in CONF_DIR.iterdir() if p.is_dir() and p.name != "hydra"):
        options = sorted(f.stem for f in folder.glob("*.yaml"))
        if options:
            groups[folder.name] = options
    return groups


def render_help() -> str:
    """The help text (Hydra's ``hydra.help`` template of ``conf/config.yaml``, filled in)."""
    from simtrial.config.commandline import compose_config

    help_cfg = OmegaConf.load(CONF_DIR / "config.yaml").hydra.help
    groups = "\n".join(f"{group}: {', '.join(options)}" for group, options in _groups().items())
    config = OmegaConf.to_yaml(compose_config([]))
    text = str(help_cfg.template)
    for key, value in (("${hydra.help.header}", help_cfg.header), ("${hydra.help.footer}", help_cfg.footer),
                       ("$APP_CONFIG_GROUPS", groups), ("$CONFIG", config)):
        text = text.replace(key, str(value))
    return text


def main_help(argv: list[str]) -> None:
    """Print the help and exit 0 when ``argv`` asks for it (``--help`` or ``-h``)."""
    if any(a in ("--help", "-h") for a in argv):
        print(render_help())
        raise SystemExit(0)
