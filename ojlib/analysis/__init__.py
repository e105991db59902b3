"""Stage 2, analysis: aggregation (shares of kommuner, ovägt medel, tolerance), ranking, levels, trends,
peers, kön, coverage, colour classes and summary rules.

Imports only ojlib.base and ojlib.data.
"""
