"""Data sources that produce the tidy dataset: example data and Kolada."""
