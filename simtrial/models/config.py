"""All patient-model parameter sets together: the ``model`` config group and its model object."""

from __future__ import annotations

from dataclasses import dataclass, field

from simtrial._core.unfrozen import editable
from simtrial.models.effect import MMF_EXPOSURE_RESPONSE, SIROLIMUS_EXPOSURE_RESPONSE, ExposureResponse
from simtrial.models.mmf_pk import MMFPK
from simtrial.models.platelets import PlateletNoise
from simtrial.models.population import PopulationSpec
from simtrial.models.sirolimus_pk import SirolimusPK
from simtrial.models.tdm import TDMPolicy


@dataclass(frozen=True)
class PatientModel:
    """The patient models' parameter sets (each documented, with sources, in its own module)."""

    population: PopulationSpec = field(default_factory=PopulationSpec)
    sirolimus_pk: SirolimusPK = field(default_factory=SirolimusPK)
    tdm: TDMPolicy = field(default_factory=TDMPolicy)
    mmf_pk: MMFPK = field(default_factory=MMFPK)
    sirolimus_response: ExposureResponse = SIROLIMUS_EXPOSURE_RESPONSE
    mmf_response: ExposureResponse = MMF_EXPOSURE_RESPONSE
    noise: PlateletNoise = field(default_factory=PlateletNoise)


#: The ``model`` config group's schema: an editable twin of :class:`PatientModel`; use
#: ``cfg.model.to_model()`` to get the frozen parameter sets.
ModelConfig = editable(PatientModel, PatientModel())
