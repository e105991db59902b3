"""Stage 4, renderers: figures, tables, notebook helpers, HTML pages, PDF, PowerPoint, Excel/CSV, the explorer.

Imports the stages below; nothing here computes a fact a reader sees that the report model does not hold.
"""
