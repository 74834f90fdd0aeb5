"""Sequencing questions (MMF then sirolimus against sirolimus first): endpoints, answers with a
direction, and the sensitivity to the correlation of one child's responsiveness to both drugs."""

from simtrial.sequencing.comparison import EndpointComparison, compare, comparison_table
from simtrial.sequencing.endpoints import ENDPOINT_FIELDS, Endpoint, arm_statistics, patient_values

__all__ = ["Endpoint", "ENDPOINT_FIELDS", "patient_values", "arm_statistics", "EndpointComparison",
           "compare", "comparison_table"]
