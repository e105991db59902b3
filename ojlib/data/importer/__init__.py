"""The importer for Socialstyrelsen's ÖJ workbooks and analysts' own files (``oj importera``).

One module per job, data flowing one way:
``grid`` (file -> sheets of raw cells) -> ``layout`` (where the table is: header rows, unit
column, data rows) -> ``units`` (which riket/län/kommun/stadsdel a row is) and ``cells`` (what a
cell holds) -> ``indicators`` (which catalogue indicator a column is, or a new one) ->
``year`` (which year) -> ``plan`` (the whole file as tidy rows plus what was recognised) ->
``sources.files`` (adds the rows to the own data ``egen``, atomically).
"""
