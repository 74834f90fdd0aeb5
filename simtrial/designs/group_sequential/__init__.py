"""Group-sequential designs: Lan-DeMets alpha spending, Wang-Tsiatis bounds, binding and
non-binding futility (beta spending or fixed bounds), power and sample size for rates, and the
exact binomial operating characteristics of the same boundaries. Equal to rpact 3.3.4 (tests).

Modules
-------
spending
    Spending functions (asOF, asP, asHSD, asKD, bsOF, ...) and the boundary families.
integration
    Recursive numerical integration of the canonical joint distribution (Jennison & Turnbull).
boundaries
    Critical values and futility bounds.
design
    :class:`GroupSequentialDesign` (rpact's ``getDesignGroupSequential``).
rates
    :class:`GroupSequentialRates` and :func:`sample_size_rates` (rpact's ``getPowerRates`` and
    ``getSampleSizeRates``, normal approximation).
exact
    Exact binomial operating characteristics of the boundaries by enumeration.
decisions, trial_design
    The look decisions on observed counts and :class:`GroupSequential`, the design object the
    trial simulator runs.
config
    The ``design=group_sequential`` config schema.
"""

from simtrial._core.lazy import lazy_exports

from .spending import BetaSpending, TypeOfDesign, spending  # numpy only (scipy where used)

# Imported on first use: the config schema (config.py) must not import scipy.stats.
__getattr__, __dir__ = lazy_exports(__name__, {
    "DesignCharacteristics": ".design",
    "ExitProbabilities": ".design",
    "GroupSequentialDesign": ".design",
    "GroupSequentialRates": ".rates",
    "SampleSizeRates": ".rates",
    "sample_size_rates": ".rates",
    "GroupSequential": ".trial_design",
})

__all__ = [
    "GroupSequentialDesign",
    "GroupSequentialRates",
    "GroupSequential",
    "SampleSizeRates",
    "sample_size_rates",
    "ExitProbabilities",
    "DesignCharacteristics",
    "TypeOfDesign",
    "BetaSpending",
    "spending",
]
