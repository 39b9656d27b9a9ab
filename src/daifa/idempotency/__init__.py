"""Idempotency-Key handling for creating POSTs: replay the first result, refuse a reused key."""
