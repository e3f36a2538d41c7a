"""dti: compute, rank and compare DTI-style composite indices."""

__version__ = "0.1.0"
