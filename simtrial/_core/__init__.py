"""The bottom layer: validation, codes, random streams, atomic io and provenance.

Nothing here imports from the rest of simtrial.
"""
