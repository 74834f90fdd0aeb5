"""Generative patient models: virtual children, sirolimus and MMF pharmacokinetics with
therapeutic drug monitoring, and stochastic platelet trajectories.

Every function here is pure numpy (no PyMC, no simpy): the calibration and the trial simulator
wrap them with thin adapters.
"""
