"""IWG 2009 platelet response criteria (Rodeghiero et al., Blood 2009;113:2386).

``from simtrial.criteria import assess, ResponseRules`` is the public entry point; see
``docs/criteria.md``.
"""

from simtrial.criteria.engine import assess
from simtrial.criteria.result import CR, NR, PR, RESPONSE_LABELS, ResponseResult
from simtrial.criteria.rules import (
    ALPS_NORMAL_COUNTS,
    IWG_2009,
    TWO_MONTHS_SUSTAINED,
    ResponseRules,
)

__all__ = [
    "assess",
    "ResponseRules",
    "ResponseResult",
    "IWG_2009",
    "ALPS_NORMAL_COUNTS",
    "TWO_MONTHS_SUSTAINED",
    "NR",
    "PR",
    "CR",
    "RESPONSE_LABELS",
]
