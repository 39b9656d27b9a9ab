"""Per-tenant token buckets for the API: the arithmetic (`rules`) and where buckets live
(`stores`: this process's memory, Redis, or a table of the database)."""
