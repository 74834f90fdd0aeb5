"""simtrial: simulation and trial design for sirolimus (and MMF then sirolimus) in children with
refractory autoimmune cytopenias."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("simtrial-paedhaem")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0+unknown"

__all__ = ["__version__"]
