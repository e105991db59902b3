"""Stage 1, data: the catalogue, områden, geography, sources (Kolada, example data, own files), the importer
and the dataset.

Imports only ojlib.base.
"""
