"""Spreadsheet imports that run in the background, with their progress."""
