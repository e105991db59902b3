"""Stage 5, publishing: the kernel pool, batches of reports and the incremental site.

Imports the stages below.
"""
