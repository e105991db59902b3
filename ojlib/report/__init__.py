"""Stage 3, the report model: the validated request and the report built from analysis.

Imports ojlib.base, ojlib.data and ojlib.analysis.
"""
