"""Names of the calibration model's variables (kept apart from the PyMC model so that reading a
posterior does not import PyMC)."""

from __future__ import annotations


def parameter_names(drug: str) -> dict[str, str]:
    """EffectParameters field -> model variable name for ``drug``."""
    names = {f: f"{drug}_{f}" for f in ("mu", "sigma", "log_ke0", "log_ke0_sd")}
    if drug == "sirolimus":
        names["beta_mmf_failed"] = "sirolimus_beta_mmf_failed"
    return names
