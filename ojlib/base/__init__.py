"""Stage 0, the ground floor: paths, errors, atomic storage, safe YAML, output places, the process cache.

Imports nothing else of ojlib.
"""
