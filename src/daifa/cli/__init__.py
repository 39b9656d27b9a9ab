"""The `daifa` command line: a thin client of the same services as the API."""
