"""Spreadsheets in and out: one reader for every upload, one row error, one importer shape.

Low in the stack: it knows files, cells and columns, never the database or a domain. The domain
packages declare their columns, checks and writes with it (catalog.importer, fulfilment.order_files,
shipping.sheets); the console, the API and the CLI drive those declarations the same way.
"""
